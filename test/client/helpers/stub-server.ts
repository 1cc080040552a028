// A scripted node:http server: the fault injector for failure paths (429, timeouts,
// expiring tokens, errors under fields). Each route answers with a function of the request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface StubReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (to exercise client timeouts). */
  hang?: boolean;
  delayMs?: number;
  /** Answer with a stream the handler writes and ends itself (server-sent events). */
  stream?: (res: ServerResponse) => void;
}

export type StubHandler = (req: StubRequest) => StubReply | Promise<StubReply>;

export interface StubServer {
  url: string;
  requests: StubRequest[];
  on(method: string, path: string | RegExp, handler: StubHandler): void;
  close(): Promise<void>;
}

export async function startStubServer(): Promise<StubServer> {
  const routes: { method: string; path: string | RegExp; handler: StubHandler }[] = [];
  const requests: StubRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const request: StubRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: raw === "" ? undefined : (JSON.parse(raw) as unknown),
      };
      requests.push(request);
      // Last registered route wins, so a test can override a default.
      const route = [...routes].reverse().find(
        (r) => r.method === request.method && (typeof r.path === "string" ? r.path === request.path : r.path.test(request.path)),
      );
      void Promise.resolve(
        route ? route.handler(request) : { status: 404, body: { error: { code: "not_found", message: "Not found" } } },
      ).then(async (reply) => {
        if (reply.hang) {
          hanging.add(res);
          return;
        }
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (reply.stream) {
          hanging.add(res);
          res.writeHead(reply.status ?? 200, { "content-type": "text/event-stream", ...reply.headers });
          res.flushHeaders();
          reply.stream(res);
          return;
        }
        res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on(method, path, handler) {
      routes.push({ method, path, handler });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL where nothing listens (the port of a server that was just closed). */
export async function deadServerUrl(): Promise<string> {
  const stub = await startStubServer();
  await stub.close();
  return stub.url;
}

export const apiError = (status: number, code: string, message: string, field?: string): StubReply => ({
  status,
  body: { error: { code, message, ...(field ? { field } : {}) } },
});
