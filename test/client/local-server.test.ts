// `niotebook local`: reuse a live server, else start one (same port as last time) and
// stop only the one it started.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isHealthy, startLocalServer } from "../../src/client/cli/local-server.js";
import { builtServerAvailable, startRealServer } from "./helpers/real-server.js";

const created: string[] = [];
const temp = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `nb-${name}-`));
  created.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
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
