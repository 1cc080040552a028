// The client's node:http requests (src/client/http-fetch.ts) answer as Node's fetch did for what
// ApiClient asks of them: a redirect followed, a timeout's TimeoutError, a stream read until it
// ends, an aborted stream an error rather than a finished body. (ApiClient's own tests run on it.)
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { httpFetch } from "../../src/client/http-fetch.js";

let server: Server;
let url: string;
const open = new Set<ServerResponse>();
beforeEach(async () => {
  server = createServer((req, res) => {
    if (req.url === "/moved") {
      res.writeHead(307, { location: "/here" }).end();
    } else if (req.url === "/here") {
      res.writeHead(200, { "content-type": "application/json", "retry-after": "3" }).end(JSON.stringify({ at: "here", method: req.method }));
    } else if (req.url === "/stream") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: ready\ndata: {}\n\n");
      open.add(res);
    } else if (req.url === "/slow") {
      open.add(res);
    } else {
      res.writeHead(404).end("no");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const res of open) res.destroy();
  open.clear();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("httpFetch", () => {
  it("answers with status, headers and text; a redirect is followed", async () => {
    const response = await httpFetch(`${url}/moved`, { method: "GET", headers: { accept: "application/json" } });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get("Retry-After")).toBe("3");
    expect(JSON.parse(await response.text())).toEqual({ at: "here", method: "GET" });
    const missing = await httpFetch(`${url}/nowhere`, {});
    expect([missing.ok, missing.status, await missing.text()]).toEqual([false, 404, "no"]);
  });

  it("ends a request its timeout signal ended with that signal's TimeoutError, as fetch does", async () => {
    await expect(httpFetch(`${url}/slow`, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("streams a body until the abort, which ends the reading with an AbortError", async () => {
    const controller = new AbortController();
    const response = await httpFetch(`${url}/stream`, { signal: controller.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(new TextDecoder().decode(first.value)).toBe("event: ready\ndata: {}\n\n");
    const next = reader.read();
    controller.abort();
    await expect(next).rejects.toMatchObject({ name: "AbortError" });
  });

  it("reads a body to its end once, and refuses to read it twice", async () => {
    const response = await httpFetch(`${url}/here`, { method: "POST", body: "{}" });
    expect(JSON.parse(await response.text())).toEqual({ at: "here", method: "POST" });
    await expect(response.text()).rejects.toThrow(/already been read/);
  });

  it("fails a request to a server that is not there", async () => {
    await new Promise((resolve) => server.close(resolve));
    await expect(httpFetch(`${url}/here`, {})).rejects.toThrow();
    server = createServer().listen(0); // for afterEach
  });
});
