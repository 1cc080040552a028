// `niotebook local`: reuse a live server, else start one (same port as last time) and
// stop only the one it started.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { writeServerInfo } from "../../src/data-folder/index.js";
import { afterAll, describe, expect, it } from "vitest";
import { isHealthy, startLocalServer } from "../../src/client/cli/local-server.js";
import { builtServerAvailable, REPO_ROOT, startRealServer } from "./helpers/real-server.js";

const created: string[] = [];
const temp = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `nb-${name}-`));
  created.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

describe("startLocalServer's words", () => {
  it("says it is reusing a running server, not starting one", async () => {
    const stub = createServer((req, res) => {
      res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok" }));
    });
    await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(stub.address() as { port: number }).port}`;
      const dataDir = temp("data");
      writeServerInfo(dataDir, url, process.pid); // this test process stands in for the server
      const said: string[] = [];
      const local = await startLocalServer({ configDir: temp("config"), env: { NIOTEBOOK_DATA_DIR: dataDir }, say: (line) => said.push(line) });
      expect(local).toMatchObject({ url, startedByUs: false });
      expect(said).toEqual([`Reusing the local server at ${url}`]);
    } finally {
      await new Promise((resolve) => stub.close(resolve));
    }
  });
});

describe.skipIf(!builtServerAvailable())("startLocalServer", () => {
  it("starts a server in the background, remembers its port, and stops it", async () => {
    const dataDir = temp("data");
    const configDir = temp("config");
    const local = await startLocalServer({ configDir, env: { ...process.env, NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_RATE_LIMIT: "off" } });
    expect(local.startedByUs).toBe(true);
    expect(await isHealthy(local.url)).toBe(true);
    const port = (JSON.parse(readFileSync(join(configDir, "local.json"), "utf8")) as { port: number }).port;
    expect(local.url).toContain(`:${port}`);
    await local.stop();
    expect(await isHealthy(local.url)).toBe(false);
    expect(existsSync(join(dataDir, "server.json"))).toBe(false);

    // Next run: the same port again, so the session's server_url stays stable.
    const again = await startLocalServer({ configDir, env: { ...process.env, NIOTEBOOK_DATA_DIR: dataDir } });
    expect(again.url).toBe(local.url);
    await again.stop();
  }, 120_000);

  it("a server started for a client that dies without stopping it (kill -9) stops by itself", async () => {
    const dataDir = temp("data");
    const configDir = temp("config");
    // The client stand-in: the built startLocalServer, then it reports and waits to be killed.
    const script = `const { startLocalServer } = await import(${JSON.stringify(join(REPO_ROOT, "dist/client/cli/local-server.js"))});
      const local = await startLocalServer({ configDir: ${JSON.stringify(configDir)} });
      console.log(JSON.stringify({ url: local.url })); setInterval(() => {}, 1000);`;
    const client = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_RATE_LIMIT: "off" }, stdio: ["ignore", "pipe", "inherit"],
    });
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      client.stdout!.once("data", (d: Buffer) => resolve(JSON.parse(d.toString()) as { url: string }));
      client.once("exit", (code) => reject(new Error(`client stand-in exited ${code}`)));
    });
    const serverPid = (JSON.parse(readFileSync(join(dataDir, "server.json"), "utf8")) as { pid: number }).pid;
    expect(await isHealthy(url)).toBe(true);
    client.kill("SIGKILL");
    const deadline = Date.now() + 15_000;
    const alive = () => { try { process.kill(serverPid, 0); return true; } catch { return false; } };
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const stillAlive = alive();
    if (stillAlive) process.kill(serverPid, "SIGKILL"); // never leave it behind, even when failing
    expect(stillAlive).toBe(false);
    // It stopped cleanly: the data folder says no server runs.
    expect(existsSync(join(dataDir, "server.json"))).toBe(false);
  }, 120_000);

  it("connects to a live server named in server.json and never stops it", async () => {
    const server = await startRealServer();
    try {
      const local = await startLocalServer({ configDir: temp("config"), env: { ...process.env, NIOTEBOOK_DATA_DIR: server.dataDir } });
      expect(local.startedByUs).toBe(false);
      expect(local.url).toBe(server.url);
      await local.stop();
      expect(await isHealthy(server.url)).toBe(true);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
