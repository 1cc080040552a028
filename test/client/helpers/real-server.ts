// Starts the real niotebook-server (built, in dist/) on a temp data folder with rate limits
// off, for happy-path tests against the actual contract implementation.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const SERVER_BIN = join(REPO_ROOT, "bin", "niotebook-server.js");
export const CLIENT_BIN = join(REPO_ROOT, "bin", "niotebook.js");

/** The built server and client exist (npm run build). */
export const builtServerAvailable = (): boolean => existsSync(join(REPO_ROOT, "dist", "server", "main.js"));
export const builtClientAvailable = (): boolean => existsSync(join(REPO_ROOT, "dist", "client", "main.js"));

export interface RealServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL, as a crash: no graceful shutdown, the data folder kept for a restart. */
  crash(): Promise<void>;
}

export function seedServer(dataDir: string, args: string[]): void {
  const result = spawnSync(process.execPath, [SERVER_BIN, "seed", ...args], {
    env: { ...process.env, NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_LOG_LEVEL: "error" },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`seed failed: ${result.stderr}${result.stdout}`);
}

/** `port`: a fixed one (a restart on the same address); default any free port. `env`: more settings. */
export async function startRealServer(opts: { dataDir?: string; seed?: string[]; port?: number; env?: Record<string, string> } = {}): Promise<RealServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "niotebook-server-"));
  if (opts.seed) seedServer(dataDir, opts.seed);
  const child = spawn(process.execPath, [SERVER_BIN], {
    env: { ...process.env, NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_PORT: String(opts.port ?? 0), NIOTEBOOK_RATE_LIMIT: "off", NIOTEBOOK_LOG_LEVEL: "error", ...opts.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    const info = join(dataDir, "server.json");
    if (existsSync(info)) {
      try {
        const { url, pid } = JSON.parse(readFileSync(info, "utf8")) as { url: string; pid: number };
        if (pid === child.pid) {
          const health = await fetch(`${url}/health`).then((r) => r.ok, () => false);
          if (health) {
            return {
              url,
              dataDir,
              process: child,
              async stop() {
                if (child.exitCode === null && child.signalCode === null) {
                  const gone = new Promise((r) => child.once("exit", r));
                  child.kill("SIGTERM");
                  await gone;
                }
                if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
              },
              async crash() {
                if (child.exitCode !== null || child.signalCode !== null) return;
                const gone = new Promise((r) => child.once("exit", r));
                child.kill("SIGKILL");
                await gone;
              },
            };
          }
        }
      } catch {
        // half-written or stale: try again
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not start: ${stderr}`);
}
