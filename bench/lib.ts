// Shared helpers for the server benchmark (bench/run.ts, bench/scale.ts): processes, ports,
// /proc sampling, statistics, JWT signing and the database set-up both databases need.
import { fork, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { join } from "node:path";
import { createHmac } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { LoadConfig, LoadResult } from "./load.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const NODE = process.execPath;
export const SERVER_BIN = `${ROOT}bin/niotebook-server.js`;

export { sleep };

/** The timestamp format the server uses (to_char in PostgreSQL). */
export const ISO = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The server's own timeline query (timeline/queries.ts), as Kysely compiles it. */
export const TIMELINE_SQL = (withCursor: boolean) =>
  `SELECT posts.id, posts.author_id, posts.content, ${ISO("posts.created_at")} AS created_at, ` +
  `users.username AS author_username, users.display_name AS author_display_name, users.bio AS author_bio, ` +
  `${ISO("users.created_at")} AS author_created_at FROM posts INNER JOIN users ON users.id = posts.author_id ` +
  (withCursor ? `WHERE (posts.created_at, posts.id) < ($1::timestamptz, $2::uuid) ` : "") +
  `ORDER BY posts.created_at DESC, posts.id DESC LIMIT 51`;

/**
 * The posts of a user's first page. The server's statement (USER_PAGE_SQL) also looks the user
 * up in the same round trip; the database ceiling runs this narrower query, a higher bar.
 */
export const USER_POSTS_SQL =
  `SELECT posts.id, posts.author_id, posts.content, ${ISO("posts.created_at")} AS created_at FROM posts ` +
  `WHERE posts.author_id = $1 ORDER BY posts.created_at DESC, posts.id DESC LIMIT 51`;

/** The server's user page (posts/queries.ts), as Kysely compiles it: $1 = limit + 1, $2 = user id. */
export const USER_PAGE_SQL =
  `SELECT p.id, users.id AS author_id, p.content, ${ISO("p.created_at")} AS created_at FROM users LEFT JOIN LATERAL ` +
  `(SELECT posts.id, posts.content, posts.created_at FROM posts WHERE posts.author_id = users.id ` +
  `ORDER BY posts.created_at DESC, posts.id DESC LIMIT $1) AS p ON true WHERE users.id = $2 ORDER BY p.created_at DESC, p.id DESC`;

/** Authentication's user lookup: once per user per process (known users are remembered). */
export const USER_EXISTS_SQL = `SELECT 1 FROM users WHERE id = $1`;

export const TIMESTAMP_OIDS = [1082, 1114, 1184];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion, capturing its output. */
export function run(cmd: string, args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

export async function runOrThrow(cmd: string, args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${result.code}\n${result.stderr.slice(-2000)}\n${result.stdout.slice(-2000)}`);
  }
  return result;
}

/** Waits for a child to exit (resolves at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** SIGTERM, then SIGKILL after graceMs; only ever the given child (and its process group when we made one). */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited(child);
  clearTimeout(timer);
}

// ── /proc ───────────────────────────────────────────────────────────────────────────────

function readStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may contain spaces: fields start after the last ')'.
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** pid and every descendant (cluster workers, for instance). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) parent.set(Number(name), Number(stat[1]));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
  }
  return tree.filter((pid) => parent.has(pid));
}

export function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user+system) in clock ticks of a set of processes. */
export function cpuTicks(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) total += Number(stat[11]) + Number(stat[12]);
  }
  return total;
}

/**
 * The machine's CPU time from /proc/stat's first line: all of it, and the part stolen by other
 * guests of the host (a virtual machine's "steal"), in ticks. On a shared host, steal shows how
 * much of a run's noise came from neighbours rather than from what was measured.
 */
export function machineCpu(): { total: number; steal: number } {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return { total: 0, steal: 0 };
  }
}

export interface RssSample {
  /** Sum over the process tree, MB. */
  totalMb: number;
  /** Largest single process, MB. */
  maxProcessMb: number;
  processes: number;
}

export function rssOf(pids: number[]): RssSample {
  const kb = pids.map(rssKb);
  return {
    totalMb: round(kb.reduce((a, b) => a + b, 0) / 1024, 1),
    maxProcessMb: round(Math.max(0, ...kb) / 1024, 1),
    processes: pids.length,
  };
}

/** Samples a process tree's RSS every intervalMs until stop() and returns the peaks. */
export function rssSampler(root: number, intervalMs = 100) {
  let pids = processTree(root);
  let peak: RssSample = rssOf(pids);
  let n = 0;
  const timer = setInterval(() => {
    if (++n % 20 === 0) pids = processTree(root);
    const s = rssOf(pids);
    peak = {
      totalMb: Math.max(peak.totalMb, s.totalMb),
      maxProcessMb: Math.max(peak.maxProcessMb, s.maxProcessMb),
      processes: Math.max(peak.processes, s.processes),
    };
  }, intervalMs);
  return {
    stop(): RssSample {
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * Waits until a process tree has been (nearly) idle for a short window, so work queued by one
 * measurement (argon2 hashes, say) does not spill into the next. Gives up after maxMs.
 */
export async function quiesce(root: number, maxMs = 8_000): Promise<number> {
  const started = Date.now();
  const pids = processTree(root);
  let before = cpuTicks(pids);
  while (Date.now() - started < maxMs) {
    await sleep(200);
    const now = cpuTicks(pids);
    // < 3 ticks (30 ms of CPU) in 200 ms: idle apart from timers and GC.
    if (now - before < 3) break;
    before = now;
  }
  return Date.now() - started;
}

// ── statistics ──────────────────────────────────────────────────────────────────────────

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function median(values: number[]): number {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/**
 * Latencies of a fixed-rate run, split into equal windows of its recorded span. The benchmark
 * reads the median of the windows' p99 as it reads the closed-loop rounds' (a median over
 * repeats), and reports the whole run's p99 beside it: one stall of the machine lands in one
 * window instead of deciding the figure alone.
 */
export class WindowedLatencies {
  private readonly windows: number[][];
  private readonly windowMs: number;
  /** `at` given to push() counts from the start of the recorded span, `spanMs` long. */
  constructor(spanMs: number, count = 1) {
    this.windows = Array.from({ length: Math.max(1, count) }, () => []);
    this.windowMs = spanMs / this.windows.length;
  }
  push(at: number, latency: number): void {
    const k = Math.floor(at / this.windowMs);
    if (k >= 0 && k < this.windows.length) this.windows[k]!.push(latency);
  }
  p99s(): number[] {
    return this.windows.map((xs) => round(percentile(xs.sort((a, b) => a - b), 99), 3));
  }
}

/**
 * A sleep finer than Node's timers, for the fixed-rate drivers: `wakeAt(t)` calls `onWake` on
 * this thread once its performance.now() has reached t (fractions of a millisecond count).
 * Node's timers fire on whole milliseconds, so a setTimeout-paced driver sent each millisecond's
 * requests together, on average ~0.6 ms after they fell due: latency the server never caused,
 * and bursts that queued behind each other (user page at 70% of its maximum: p50 1.6 ms paced
 * that way against 0.9 ms this way). A worker thread sleeps on Atomics.wait, which takes
 * fractional milliseconds, and its message interrupts the main thread's event loop at once.
 * The two threads share the monotonic clock behind process.hrtime; a worker's own
 * performance.now() was seen ~1 ms off the main thread's (and a driver then waited forever for
 * its last slot).
 */
export function preciseWakeups(onWake: () => void): { wakeAt(t: number): void; stop(): Promise<number> } {
  const shared = new SharedArrayBuffer(16);
  const request = new Int32Array(shared, 0, 2); // [request count, stop]
  const target = new Float64Array(shared, 8, 1); // ms on the hrtime clock
  const before = performance.now();
  const hrOffset = Number(process.hrtime.bigint()) / 1e6 - (before + performance.now()) / 2;
  const worker = new Worker(SLEEPER_SOURCE, { eval: true, workerData: shared });
  worker.on("message", onWake);
  const signal = () => {
    Atomics.add(request, 0, 1);
    Atomics.notify(request, 0);
  };
  return {
    wakeAt(t) {
      target[0] = t + hrOffset;
      signal();
    },
    stop() {
      Atomics.store(request, 1, 1);
      signal();
      return worker.terminate();
    },
  };
}

/**
 * The schedule of a fixed-rate run: slots fall due at start + k * interval (performance.now()
 * ms) until `end`. Each slot is handed to `take` once it is due, with the time it was taken;
 * `afterTake` runs after each batch (to send what was taken). Resolves once every slot is out.
 */
export function pacedSlots(start: number, interval: number, end: number,
  take: (due: number, now: number) => void, afterTake: () => void): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0, done = false;
    const tick = () => {
      if (done) return;
      const now = performance.now();
      for (; start + sent * interval <= now && start + sent * interval < end; sent++) take(start + sent * interval, now);
      afterTake();
      if (start + sent * interval < end) return sleeper.wakeAt(start + sent * interval);
      done = true;
      void sleeper.stop();
      resolve();
    };
    const sleeper = preciseWakeups(tick);
    tick();
  });
}

const SLEEPER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const request = new Int32Array(workerData, 0, 2);
const target = new Float64Array(workerData, 8, 1);
const nap = new Int32Array(new SharedArrayBuffer(4));
for (let seen = 0; ; ) {
  Atomics.wait(request, 0, seen);
  seen = Atomics.load(request, 0);
  if (Atomics.load(request, 1)) break;
  // Sleep most of the way, then spin out the last tens of microseconds.
  for (let wait; (wait = target[0] - Number(process.hrtime.bigint()) / 1e6) > 0; ) {
    if (wait > 0.05) Atomics.wait(nap, 0, 0, wait - 0.03);
  }
  parentPort.postMessage(0);
}
`;

// ── tokens ──────────────────────────────────────────────────────────────────────────────

const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");

/** An HS256 access token exactly as the server issues it (header alg+typ; sub, username, iat, exp). */
export function signAccessToken(secret: string, userId: string, username: string, ttlSeconds = 86_400): string {
  const iat = Math.floor(Date.now() / 1000) - 5;
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ username, sub: userId, iat, exp: iat + ttlSeconds }));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString("base64url");
}

// ── misc ────────────────────────────────────────────────────────────────────────────────

/** Opens a file for a child's stdout/stderr (append, so it can be truncated under it). */
export function logFd(path: string): number {
  return openSync(path, "a");
}

export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

export async function waitForHealth(url: string, timeoutMs = 60_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(150);
  }
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms (${last})`);
}

/**
 * Starts the built server on a free port with `env`, its output appended to `<logBase>.log` and
 * `<logBase>.err`, tracked in `children` (stopped at exit), and waits until it is healthy.
 */
export async function startServer(env: NodeJS.ProcessEnv, logBase: string, children: Set<ChildProcess>): Promise<{ server: ChildProcess; url: string }> {
  const port = await freePort();
  const out = logFd(`${logBase}.log`), err = logFd(`${logBase}.err`);
  const server = spawn(NODE, [SERVER_BIN], { env: { ...env, NIOTEBOOK_PORT: String(port) }, stdio: ["ignore", out, err] });
  children.add(server);
  closeFd(out);
  closeFd(err);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, 60_000, server);
  return { server, url };
}

export function fmt(x: number | undefined | null, digits = 1): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return "n/a";
  return x.toFixed(digits);
}

export function fmtInt(x: number | undefined | null): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return "n/a";
  return Math.round(x).toLocaleString("en-US");
}

/** A bench script's usage: the comment block at the top of its file (printed for --help). */
export function usageOf(moduleUrl: string): string {
  const text = readFileSync(new URL(moduleUrl), "utf8").split("\n");
  return text.slice(0, text.findIndex((line) => !line.startsWith("//"))).join("\n");
}

/** A server's environment: this process's without any NIOTEBOOK_ setting, production mode, then `extra`. */
export function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIOTEBOOK_")) env[k] = v;
  return { ...env, NODE_ENV: "production", NIOTEBOOK_LOG_LEVEL: "info", ...extra };
}

/** bench/load.ts in a process of its own, forked on first use and reused; added to `children` for clean-up. */
export function loadGenerator(children: Set<ChildProcess>): (config: LoadConfig) => Promise<LoadResult> {
  let generator: ChildProcess | undefined;
  return async (config) => {
    if (!generator) {
      const child = fork(join(ROOT, "bench", "load.ts"), [], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
      children.add(child);
      await new Promise<void>((resolve) => child.once("message", () => resolve()));
      generator = child;
    }
    const child = generator;
    return new Promise((resolve, reject) => {
      child.once("message", (m: { result?: LoadResult; error?: string }) => (m.result ? resolve(m.result) : reject(new Error(m.error))));
      child.send({ config });
    });
  };
}

/** The commit measured, and whether src/ has uncommitted changes (a report says so beside its figures). */
export async function sourceRevision(): Promise<{ commit: string; dirty: boolean }> {
  const commit = (await run("git", ["rev-parse", "HEAD"], { cwd: ROOT })).stdout.trim();
  const dirty = (await run("git", ["status", "--porcelain", "--", "src"], { cwd: ROOT })).stdout.trim().length > 0;
  return { commit, dirty };
}
