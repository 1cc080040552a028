// `niotebook local`: reuse the local server named in the data folder's server.json when it
// answers /health, else start one in the background (on the port used last time when free,
// so the session's server_url stays the same between runs) and stop it on exit. A server
// this process did not start is never stopped.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, readFileSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dataFolderPath, isProcessAlive, readServerInfo, writeFileAtomic } from "../../data-folder/index.js";
import { ensureDir } from "../config/paths.js";

export const SERVER_SCRIPT = fileURLToPath(new URL("../../../bin/niotebook-server.js", import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface LocalServer {
  url: string;
  startedByUs: boolean;
  stop(): Promise<void>;
}

export async function isHealthy(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`${url.replace(/\/+$/, "")}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    const body = (await response.json()) as { status?: string };
    return body.status === "ok";
  } catch {
    return false;
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function readLastPort(configDir: string): number | null {
  try {
    const data = JSON.parse(readFileSync(join(configDir, "local.json"), "utf8")) as { port?: unknown };
    return typeof data.port === "number" && data.port > 0 && data.port < 65536 ? data.port : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(path: string): string {
  if (!existsSync(path)) return "";
  const lines = readFileSync(path, "utf8").trim().split("\n");
  return lines.slice(-5).join("\n");
}

export async function startLocalServer(opts: {
  env?: NodeJS.ProcessEnv;
  configDir: string;
  serverScript?: string;
  /** Told what is happening ("Reusing the local server at …" or "Starting the local server…"). */
  say?: (line: string) => void;
}): Promise<LocalServer> {
  const env = opts.env ?? process.env;
  const dataDir = dataFolderPath(env);
  const existing = readServerInfo(dataDir);
  if (existing && isProcessAlive(existing.pid)) {
    // A live server may still be starting: give it a few seconds before deciding.
    for (let i = 0; i < 10; i++) {
      if (await isHealthy(existing.url)) {
        opts.say?.(`Reusing the local server at ${existing.url}`);
        return { url: existing.url, startedByUs: false, stop: async () => {} };
      }
      if (!isProcessAlive(existing.pid)) break;
      await sleep(500);
    }
  }

  opts.say?.("Starting the local server…");
  ensureDir(opts.configDir);
  const lastPort = readLastPort(opts.configDir);
  const port = lastPort !== null && (await isPortFree(lastPort)) ? lastPort : 0;
  const logPath = join(opts.configDir, "local-server.log");
  const log = openSync(logPath, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [opts.serverScript ?? SERVER_SCRIPT], {
      // It stops by itself once this process is gone, even if we could not stop it (a signal
      // during start-up, kill -9).
      // One process for one client, whatever NIOTEBOOK_WORKERS the shell exports.
      env: { ...env, NIOTEBOOK_PORT: String(port), NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_WORKERS: "1", NIOTEBOOK_STOP_WITH_PARENT: String(process.pid) },
      stdio: ["ignore", log, log],
    });
  } finally {
    closeSync(log);
  }
  let exited: number | null = null;
  // A normal exit that skipped stop() takes the server down at once (signals and kill -9 are
  // NIOTEBOOK_STOP_WITH_PARENT's: the server notices within a second).
  const killOnExit = (): void => {
    if (exited === null) child.kill("SIGTERM");
  };
  process.once("exit", killOnExit);
  child.on("exit", (code) => {
    exited = code ?? 1;
    process.off("exit", killOnExit);
  });

  const stop = async (): Promise<void> => {
    if (exited !== null) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await Promise.race([gone, sleep(5_000).then(() => child.kill("SIGKILL"))]);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Error(`The local server exited (code ${exited}).\n${tail(logPath)}`);
    }
    const info = readServerInfo(dataDir);
    if (info && info.pid === child.pid && (await isHealthy(info.url, 1_000))) {
      const actualPort = Number(new URL(info.url).port);
      if (actualPort > 0) writeFileAtomic(join(opts.configDir, "local.json"), JSON.stringify({ port: actualPort }), 0o600);
      return { url: info.url, startedByUs: true, stop };
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`The local server did not become healthy within ${START_TIMEOUT_MS / 1000}s (log: ${logPath})`);
}
