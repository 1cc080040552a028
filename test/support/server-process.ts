// Runs the built niotebook-server as a user would: a child process with real signals, a
// real data folder or PostgreSQL database, and its output captured for inspection.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const SERVER_BIN = join(import.meta.dirname, "../../bin/niotebook-server.js");
export const TEST_JWT_SECRET = "process-test-secret-0123456789-0123456789";

const tempRoots: string[] = [];
export function tempDataDir(): string {
  const root = mkdtempSync(join(tmpdir(), "niotebook-proc-"));
  tempRoots.push(root);
  return join(root, "data");
}
export function removeTempDirs(): void {
  for (const dir of tempRoots.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function runServerCommand(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [SERVER_BIN, ...args], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the exit code after SIGTERM. */
  stop(): Promise<number | null>;
}

/** Starts the server and resolves once /health answers 200. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = env.NIOTEBOOK_PORT ?? String(await freePort());
  const child = spawn(process.execPath, [SERVER_BIN], {
    env: { ...process.env, NIOTEBOOK_RATE_LIMIT: "off", ...env, NIOTEBOOK_PORT: port },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/health`)).status === 200) {
        return { child, url, output: () => output, exited, stop: () => (child.kill("SIGTERM"), exited) };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not start:\n${output}`);
}

/** Reads the server.json an embedded server writes into its data folder. */
export function serverInfo(dataDir: string): { pid: number; url: string } | undefined {
  const file = join(dataDir, "server.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { pid: number; url: string }) : undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a body of any shape, as fetch's json() gives; each test asserts what it expects
export async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, headers: { "content-type": "application/json", ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function registerUser(url: string, username: string, password = "password123") {
  const res = await json(`${url}/api/v1/auth/register`, {
    method: "POST", body: JSON.stringify({ username, email: `${username}@example.com`, password }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { user: { id: string }; tokens: { access_token: string; refresh_token: string } };
}

/** A fresh PostgreSQL database for one test, on the server NIOTEBOOK_TEST_DB_URL names. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `niotebook_proc_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** One HTTP request over node:http, so a test controls the agent (sockets, keep-alive). */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: import("node:http").Agent; timeoutMs?: number } = {},
): Promise<{ status: number; body: string; ms: number }> {
  return import("node:http").then((http) => new Promise((resolve, reject) => {
    const started = Date.now();
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers, agent: options.agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, ms: Date.now() - started }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.end(options.body);
  }));
}
