// `npm run bench` — the server benchmark. Every figure is set against a ceiling measured in
// the same round, on the same machine, with the same load generator, because absolute
// numbers on a shared 2-core machine drift from run to run.
//
//   node bench/run.ts [--db postgres|embedded|both] [--posts 100000] [--users 1000]
//                     [--rounds 5] [--duration 2] [--warmup 0.5] [--connections 64]
//                     [--quick] [--no-build] [--keep] [--db-first] [--pg-url postgres://postgres@127.0.0.1:5432]
//                     [--fixed-fractions 0.7] [--server-nice 0]
//
// --fixed-fractions 0.4,0.55,0.7 drives the fixed-rate scenarios at each of those shares of
// their maximum (default 0.7, the target's), to see where the tail bends on a machine.
// --db-first adds the database ceiling of the first-page query (no target depends on it; it
// costs half a minute). --db-clients N runs the database ceiling with N clients instead of as
// many as the load's connections (e.g. 10, the server's pool size).
// --server-nice=-10 runs every process that stands for the system under test (our server and
// its workers, the HTTP ceilings, the database ceiling's client) at that nice value, PostgreSQL
// and the load generator at the default: how much of the tail is the server's one busy thread
// waiting for a core held by them (needs root or CAP_SYS_NICE below 0; results get a -nice suffix).
//
// Per database: seed, start the production build (one server per configuration, each living
// through every round so memory growth shows), then in each round run every scenario and
// every ceiling once, interleaved, so drift hits scenario and ceiling alike; report medians
// over rounds, and ratios as the median of the per-round ratios.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync } from "node:fs";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { cpus, hostname, loadavg, release, setPriority, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  NODE, ROOT, SERVER_BIN, ISO, TIMELINE_SQL, USER_POSTS_SQL, closeFd, cpuTicks, encodeCursor, fmt, fmtInt, freePort, logFd, median, processTree,
  machineCpu, percentile, quiesce, rssOf, rssSampler, run, runOrThrow, signAccessToken, sleep, stopChild, waitForHealth,
  type RssSample,
} from "./lib.ts";
import { SCENARIOS, type LoadData, type Scenario } from "./scenarios.ts";
import type { LoadConfig, LoadResult } from "./load.ts";
import type { DbCeilingConfig } from "./ceiling-db.ts";

// ── options ─────────────────────────────────────────────────────────────────────────────
/** The issue's fixed rate: 70% of the measured maximum. */
const TARGET_FRACTION = 0.7;
const shareOf = (fraction: number) => `${Math.round(fraction * 100)}%`;
const { values: flags } = parseArgs({
  options: {
    db: { type: "string", default: "both" },
    posts: { type: "string" },
    users: { type: "string" },
    rounds: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    connections: { type: "string" },
    quick: { type: "boolean", default: false },
    "db-first": { type: "boolean", default: false },
    "db-clients": { type: "string" },
    "no-build": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
    "pg-database": { type: "string", default: "niotebook_bench" },
    "fixed-fractions": { type: "string", default: String(TARGET_FRACTION) },
    "server-nice": { type: "string", default: "0" },
    out: { type: "string", default: join(ROOT, "bench", "results") },
    help: { type: "boolean", short: "h" },
  },
});
if (flags.help) {
  const text = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  console.log(text.slice(0, text.findIndex((line) => !line.startsWith("//"))).join("\n"));
  process.exit(0);
}
const quick = flags.quick!;
const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const opts = {
  posts: num(flags.posts, quick ? 10_000 : 100_000),
  users: num(flags.users, 1_000),
  rounds: num(flags.rounds, quick ? 2 : 5),
  durationS: num(flags.duration, quick ? 1 : 2),
  warmupS: num(flags.warmup, quick ? 0.3 : 0.5),
  connections: num(flags.connections, 64),
  /** clients of the database ceiling: as many as the load's connections unless --db-clients */
  dbClients: num(flags["db-clients"], num(flags.connections, 64)),
  /** distinct loopback source addresses, one per connection */
  sources: num(flags.connections, 64),
  dbs: (flags.db === "both" ? ["postgres", "embedded"] : [flags.db]) as Array<"postgres" | "embedded">,
  pgUrl: flags["pg-url"]!,
  pgDatabase: flags["pg-database"]!,
  serverNice: Number(flags["server-nice"]),
};
for (const [k, v] of Object.entries(opts)) if (k !== "serverNice" && typeof v === "number" && !(v > 0)) throw new Error(`--${k} must be a positive number`);
if (!Number.isInteger(opts.serverNice) || opts.serverNice < -20 || opts.serverNice > 19) throw new Error("--server-nice must be an integer from -20 to 19");
const fixedFractions = flags["fixed-fractions"]!.split(",").map(Number);
if (!fixedFractions.every((f) => f > 0 && f <= 1.5)) throw new Error("--fixed-fractions must be numbers in (0, 1.5], e.g. 0.5,0.7");
if (!opts.dbs.every((d) => d === "postgres" || d === "embedded")) throw new Error("--db must be postgres, embedded or both");

// Logins are argon2-bound (~25/s on 2 cores), so 64 connections wait seconds for their first
// answers: a longer warm-up and window give the login scenario and its ceiling enough samples.
const LOGIN_WINDOW = { warmupS: Math.max(opts.warmupS, quick ? 1.5 : 2), durationS: Math.max(opts.durationS * 1.5, quick ? 2 : 3) };

/**
 * Unrecorded seconds at the start of every fixed-rate run. The run follows a closed-loop
 * maximum, whose in-flight garbage the old generation collects in the first second or two
 * (measured: 2-4 full collections in the first 1.5 s, then none for the rest of a 7 s run); the target
 * is the tail at a steady rate, not that hand-over.
 */
const PACED_WARMUP_S = Math.max(opts.warmupS, quick ? 1 : 3);

/**
 * Login and its argon2 ceiling run in odd rounds only (1, 3, 5 of 5): each run costs 5 s of
 * argon2-bound load whose figures barely move, and the whole benchmark must fit in 15 minutes.
 */
const loginRound = (r: number) => r % 2 === 1 || opts.rounds < 3;

/** Seconds of unrecorded load per scenario before round 1. */
const WARM_UP_S = quick ? 0.5 : 1;

const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
const work = mkdtempSync(join(tmpdir(), "niotebook-bench-"));
const children = new Set<ChildProcess>();
const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

async function cleanup(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 5_000)));
  if (!flags.keep) rmSync(work, { recursive: true, force: true });
}
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));

/** --server-nice: the system under test's processes (never PostgreSQL or the load generator). */
function prioritise(pids: number[], what: string): void {
  if (opts.serverNice === 0) return;
  for (const pid of pids) {
    try {
      setPriority(pid, opts.serverNice);
    } catch (error) {
      throw new Error(`--server-nice ${opts.serverNice}: could not renice ${what} (pid ${pid}): ${(error as Error).message}; below 0 needs root or CAP_SYS_NICE`);
    }
  }
}

// ── servers and helper processes ────────────────────────────────────────────────────────
interface Server {
  name: string;
  db: "postgres" | "embedded";
  limits: "off" | "x1000";
  workers: "1" | "auto";
  child: ChildProcess;
  url: string;
  logPath: string;
  processes: number;
}

function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIOTEBOOK_")) env[k] = v;
  return { ...env, NODE_ENV: "production", NIOTEBOOK_LOG_LEVEL: "info", ...extra };
}

async function startServer(db: "postgres" | "embedded", limits: "off" | "x1000", workers: "1" | "auto", conn: { dbUrl?: string; secret?: string; dataDir?: string }): Promise<Server> {
  const name = `${db}-w${workers}-${limits}`;
  const logPath = join(work, `${name}.log`);
  const out = logFd(logPath), err = logFd(join(work, `${name}.err`));
  const port = db === "postgres" ? await freePort() : 0;
  const env = serverEnv({
    NIOTEBOOK_PORT: String(port),
    NIOTEBOOK_RATE_LIMIT: limits,
    ...(workers === "auto" ? { NIOTEBOOK_WORKERS: "auto" } : {}),
    ...(db === "postgres" ? { NIOTEBOOK_DB_URL: conn.dbUrl!, NIOTEBOOK_JWT_SECRET: conn.secret! } : { NIOTEBOOK_DATA_DIR: conn.dataDir! }),
  });
  const child = spawn(NODE, [SERVER_BIN], { env, stdio: ["ignore", out, err] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  closeFd(out);
  closeFd(err);
  let url = `http://127.0.0.1:${port}`;
  if (db === "embedded") {
    const info = join(conn.dataDir!, "server.json");
    const deadline = Date.now() + 60_000;
    while (!existsSync(info)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${name} did not start: ${readFileSync(join(work, `${name}.err`), "utf8").slice(-1000)}`);
      await sleep(100);
    }
    url = (JSON.parse(readFileSync(info, "utf8")) as { url: string }).url;
  }
  await waitForHealth(url, 60_000, child);
  await sleep(300);
  const tree = processTree(child.pid!);
  prioritise(tree, name);
  return { name, db, limits, workers, child, url, logPath, processes: tree.length };
}

interface LogScan {
  lines: number;
  warnOrWorse: number;
  status5xx: number;
  samples: string[];
}

/**
 * Reads what a process logged since the last scan, keeps warnings and 5xx, empties the file;
 * returns what it read.
 */
function scanLog(path: string, into: Map<string, LogScan>, key: string): string {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
    truncateSync(path, 0);
  } catch {
    return "";
  }
  const scan = into.get(key) ?? { lines: 0, warnOrWorse: 0, status5xx: 0, samples: [] };
  for (const line of text.split("\n")) {
    if (!line) continue;
    scan.lines++;
    const level = /"level":(\d+)/.exec(line);
    const status = /"status":(\d+)/.exec(line);
    const bad = (level && Number(level[1]) >= 40) || (status && Number(status[1]) >= 500);
    if (level && Number(level[1]) >= 40) scan.warnOrWorse++;
    if (status && Number(status[1]) >= 500) scan.status5xx++;
    if (bad && scan.samples.length < 5) scan.samples.push(line.slice(0, 400));
  }
  into.set(key, scan);
  return text;
}

async function startCeiling(mode: "http" | "essential", bodyFile: string, headers: Record<string, string>, secret: string) {
  const cfgPath = join(work, `ceiling-${mode}.json`);
  writeFileSync(cfgPath, JSON.stringify({ mode, bodyFile, headers, secret }));
  const logPath = join(work, `ceiling-${mode}.log`);
  const out = logFd(logPath);
  const child = spawn(NODE, [join(ROOT, "bench", "ceiling-http.ts"), cfgPath], { stdio: ["ignore", out, "pipe"], env: serverEnv({}) });
  children.add(child);
  child.on("exit", () => children.delete(child));
  closeFd(out);
  const port = await new Promise<number>((resolve, reject) => {
    let buf = "";
    child.stderr!.on("data", (d: Buffer) => {
      buf += d.toString();
      const m = /READY (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`ceiling ${mode} exited ${code}: ${buf}`)));
  });
  prioritise([child.pid!], `the ${mode} ceiling`);
  return { mode, child, url: `http://127.0.0.1:${port}`, logPath };
}

// Long-lived helper processes, one measurement per message: the load generator (bench/load.ts)
// and the database ceiling (bench/ceiling-db.ts). Saves a Node start-up per measurement and
// keeps their JIT as warm as the long-running server's.
const workers = new Map<string, ChildProcess>();
async function worker(script: string): Promise<ChildProcess> {
  const existing = workers.get(script);
  if (existing && existing.exitCode === null && existing.signalCode === null) return existing;
  const child = fork(join(ROOT, "bench", script), [], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`${script} exited ${code}`)));
  });
  // The database ceiling's client stands for the server's side of the query: same priority.
  if (script === "ceiling-db.ts") prioritise([child.pid!], "the database ceiling's client");
  workers.set(script, child);
  return child;
}

async function ask<T>(script: string, config: object): Promise<T> {
  const child = await worker(script);
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${script} exited ${code} during a measurement`));
    child.once("exit", onExit);
    child.once("message", (message: { result?: T; error?: string }) => {
      child.off("exit", onExit);
      if (message.result) resolve(message.result);
      else reject(new Error(`${script}: ${message.error}`));
    });
    child.send({ config });
  });
}

async function stopWorker(script: string): Promise<void> {
  const child = workers.get(script);
  if (child) await stopChild(child, 5_000);
  workers.delete(script);
}

// ── measurements ────────────────────────────────────────────────────────────────────────
interface Measurement {
  id: string;
  round: number;
  kind: "scenario" | "ceiling";
  scenario: string;
  server?: string;
  limits?: string;
  workers?: string;
  result: LoadResult | DbResult;
  rssPeak?: RssSample;
  rssAfter?: RssSample;
  settleMs?: number;
  /** CPU time per request, µs: the server's (or ceiling's) processes, and PostgreSQL's backends */
  cpu?: { nodeUsPerReq?: number; dbUsPerReq?: number };
  /** paced runs: the server's own time per request, from its log */
  serverSide?: ServerSideTimes;
  /** share of the machine's CPU time other guests of the host took during the run, % */
  stealPct?: number;
}

/** Runs a measurement and notes how much CPU the host's other guests stole meanwhile. */
async function withSteal<T extends Measurement>(measure: () => Promise<T>): Promise<T> {
  const before = machineCpu();
  const m = await measure();
  const after = machineCpu();
  if (after.total > before.total) m.stealPct = Math.round(((after.steal - before.steal) / (after.total - before.total)) * 1000) / 10;
  return m;
}

interface DbResult {
  query: string;
  rps: number;
  ok: number;
  errors: number;
  firstError?: string;
  rowsPerQuery: number;
  total: number;
  clientCpuUsPerQuery: number | null;
  dbCpuUsPerQuery: number | null;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  windowP99s?: number[];
}

/** The server's own time per request (its log's duration_ms) over a paced run's recorded span. */
interface ServerSideTimes { requests: number; p50: number; p99: number }

function serverSideTimes(log: string, [from, to]: [number, number]): ServerSideTimes | undefined {
  const durations: number[] = [];
  for (const line of log.split("\n")) {
    const time = /"time":(\d+)/.exec(line), duration = /"duration_ms":([\d.]+)/.exec(line);
    if (time && duration && Number(time[1]) >= from && Number(time[1]) <= to) durations.push(Number(duration[1]));
  }
  if (!durations.length) return undefined;
  durations.sort((a, b) => a - b);
  return { requests: durations.length, p50: percentile(durations, 50), p99: percentile(durations, 99) };
}

/**
 * A fixed-rate run's p99 as the targets read it: the median of its windows' p99 (each window as
 * long as a closed-loop round), as the closed-loop figures are medians over rounds.
 */
const tailP99 = (r: { p99: number; windowP99s?: number[] }) => (r.windowP99s?.length ? median(r.windowP99s) : r.p99);
/**
 * The server's CPU per request in a paced run, beside the rounds', and what it makes of one core
 * at the run's rate: answered one or two at a time a request costs more than in a saturating
 * closed loop (every wake-up is paid alone), so 70% of the closed-loop maximum can be most of a core.
 */
const busyShare = (f: FixedRateRun) => {
  const c = f.serverCpuUsPerReq;
  if (!c?.paced) return "—";
  return `${fmt(c.paced, 0)} (${fmt(c.rounds, 0)}): ${fmt((c.paced * f.fixed.targetRate!) / 1e4, 0)}%`;
};
const windowsOf = (seconds: number) => Math.max(1, Math.round(seconds / opts.durationS));

async function measureLoad(round: number, target: { url: string; pid: number; name: string; logPath: string }, scenario: Scenario,
  extra: Partial<LoadConfig> & { id: string; kind: "scenario" | "ceiling"; limits?: string; workers?: string }, dataFile: string, logs: Map<string, LogScan>,
  pgCpu?: PgCpuMeter): Promise<Measurement> {
  const settleMs = await quiesce(target.pid);
  const tree = processTree(target.pid);
  const pgBefore = await pgCpu?.sample();
  const ticksBefore = cpuTicks(tree);
  const sampler = rssSampler(target.pid);
  const config: LoadConfig = {
    url: target.url, scenario, connections: opts.connections, durationS: opts.durationS, warmupS: opts.warmupS,
    dataFile, mode: "closed", sources: opts.sources, seed: round * 100_003, ...extra,
  };
  const result = await ask<LoadResult>("load.ts", config);
  const nodeTicks = cpuTicks(tree) - ticksBefore;
  const dbTicks = pgBefore ? await pgCpu!.since(pgBefore) : undefined;
  const rssPeak = sampler.stop();
  const cpu = result.total > 0 ? {
    nodeUsPerReq: Math.round((nodeTicks * TICK_US) / result.total),
    dbUsPerReq: dbTicks === undefined ? undefined : Math.round((dbTicks * TICK_US) / result.total),
  } : undefined;
  const rssAfter = rssOf(processTree(target.pid));
  const logged = scanLog(target.logPath, logs, target.name);
  const serverSide = result.recordedEpochMs ? serverSideTimes(logged, result.recordedEpochMs) : undefined;
  const { id, kind, limits, workers } = extra;
  return { id, round, kind, scenario, server: target.name, limits, workers, result, rssPeak, rssAfter, settleMs, cpu, serverSide };
}

async function measureDb(round: number, id: string, config: DbCeilingConfig): Promise<Measurement> {
  const result = await ask<DbResult>("ceiling-db.ts", config);
  const cpu = { nodeUsPerReq: result.clientCpuUsPerQuery ?? undefined, dbUsPerReq: result.dbCpuUsPerQuery ?? undefined };
  return { id, round, kind: "ceiling", scenario: id, result, cpu };
}

/** Microseconds per clock tick in /proc/<pid>/stat (USER_HZ is 100 on Linux). */
const TICK_US = 10_000;

interface PgCpuMeter {
  sample(): Promise<Map<number, number>>;
  /** CPU ticks the database's backends used since `before` (new backends count from their start). */
  since(before: Map<number, number>): Promise<number>;
  close(): Promise<void>;
}

/** CPU time of the PostgreSQL backends serving one database, read from /proc (same machine). */
async function pgCpuMeter(adminUrl: string, database: string): Promise<PgCpuMeter> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const sample = async () => {
    const pids = (await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [database])).rows.map((r) => r.pid);
    return new Map(pids.map((pid) => [pid, cpuTicks([pid])]));
  };
  return {
    sample,
    async since(before) {
      const after = await sample();
      let ticks = 0;
      for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
      return ticks;
    },
    close: () => client.end(),
  };
}

/** Waits until PostgreSQL has room for `need` more connections (idle server pools close after 30 s). */
async function pgHeadroom(adminUrl: string, need: number): Promise<number> {
  const started = Date.now();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const max = Number((await client.query("SHOW max_connections")).rows[0].max_connections);
    const reserved = Number((await client.query("SHOW superuser_reserved_connections")).rows[0].superuser_reserved_connections);
    while (Date.now() - started < 40_000) {
      const used = Number((await client.query("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'")).rows[0].n);
      if (used + need + 2 <= max - reserved) break;
      await sleep(1_000);
    }
  } finally {
    await client.end();
  }
  return Date.now() - started;
}

// ── one database section ────────────────────────────────────────────────────────────────
interface SectionResult {
  db: "postgres" | "embedded";
  seed: { users: number; posts: number; ms: number; output: string };
  postsAtEnd?: number;
  /** EXPLAIN (ANALYZE, BUFFERS) of the page queries after the run's writes (PostgreSQL) */
  plansAtEnd?: Array<{ name: string; plan: string }>;
  workers: { supported: boolean; autoProcesses?: number; note?: string };
  tokens: { count: number; how: string };
  deepCursor: { createdAt: string; id: string; offset: number };
  servers: Array<{ name: string; processes: number; url: string }>;
  measurements: Measurement[];
  /** per scenario: one connection, then a fixed rate of 70% of a maximum measured just before */
  fixedRates: FixedRateRun[];
  /** the essential-work ceiling, one connection and at the same fixed rate */
  ceilingAtFixedRate?: { single: LoadResult; fixed: LoadResult };
  rssAfterMixed: Record<string, Array<RssSample & { round: number }>>;
  logs: Record<string, LogScan>;
  preflight: string[];
}

interface FixedRateRun {
  scenario: Scenario;
  single: LoadResult;
  fixed: LoadResult;
  fraction: number;
  /** the maximum the rate is 70% of: the median of the rounds' closed-loop req/s and one more run right before */
  maxRps: number;
  /** that run right before the paced one */
  freshMaxRps: number;
  /** the median of the scenario's rounds, for comparison */
  roundsMaxRps: number;
  /** the page's query alone (no HTTP, no server): one client, then the same fixed rate */
  database?: { single: DbResult; fixed: DbResult; stealPct?: number };
  /** the server's own time per request during the paced run (its log) */
  serverSide?: ServerSideTimes;
  /** CPU stolen by the host's other guests during the paced run, % */
  stealPct?: number;
  /** the server's CPU per request in the paced run and, for comparison, in the closed-loop rounds (median), µs */
  serverCpuUsPerReq?: { paced?: number; rounds?: number };
}

const DB_QUERY_OF: Partial<Record<Scenario, "deep" | "user">> = { "timeline-deep": "deep", "user-posts": "user" };

/**
 * The scenarios whose latency is also measured at a fixed rate (the issue's tail target). The
 * first page (its tail reported, not targeted) only on PostgreSQL: it is answered from memory by
 * the same code whatever the database, and the embedded section's minutes are better spent elsewhere.
 */
const FIXED_RATE_SCENARIOS = (db: "postgres" | "embedded"): Scenario[] =>
  db === "postgres" ? ["timeline-first", "timeline-deep", "user-posts"] : ["timeline-deep", "user-posts"];

/** The server's pool (src/server/db/database.ts): the query-alone runs at a fixed rate use as many connections. */
const SERVER_POOL_SIZE = 10;

async function section(db: "postgres" | "embedded", workersSupported: boolean): Promise<SectionResult> {
  log(`== ${db}: preparing ${fmtInt(opts.users)} users and ${fmtInt(opts.posts)} posts`);
  let dbUrl: string | undefined, secret: string, dataDirs: string[] = [];
  const adminUrl = `${opts.pgUrl}/postgres`;
  let seedEnv: NodeJS.ProcessEnv;
  if (db === "postgres") {
    dbUrl = `${opts.pgUrl}/${opts.pgDatabase}`;
    secret = randomBytes(48).toString("base64");
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${opts.pgDatabase} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${opts.pgDatabase}`);
    await admin.end();
    seedEnv = serverEnv({ NIOTEBOOK_DB_URL: dbUrl, NIOTEBOOK_JWT_SECRET: secret });
  } else {
    dataDirs = [join(work, "embedded-off"), join(work, "embedded-x1000"), join(work, "embedded-ceiling")];
    seedEnv = serverEnv({ NIOTEBOOK_DATA_DIR: dataDirs[0]! });
    secret = "";
  }
  const seeded = await runOrThrow(NODE, [SERVER_BIN, "seed", "--users", String(opts.users), "--posts", String(opts.posts)], { env: seedEnv });
  log(`seeded in ${(seeded.ms / 1000).toFixed(1)} s: ${seeded.stdout.trim()}`);

  // What the load needs, read straight from the database: users, their hashes, the deep cursor.
  const usersSql = `SELECT id, username, email, password_hash FROM users ORDER BY created_at, id LIMIT ${opts.users}`;
  const countSql = `SELECT count(*)::int AS n FROM posts`;
  const deepSql = (offset: number) => `SELECT ${ISO("created_at")} AS created_at, id FROM posts ORDER BY created_at DESC, id DESC OFFSET ${offset} LIMIT 1`;
  type UserRow = { id: string; username: string; email: string; password_hash: string };
  let users: UserRow[], postCount: number, deep: { created_at: string; id: string };
  if (db === "postgres") {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    // Statistics as a production database would have them after autovacuum.
    await c.query("VACUUM (ANALYZE) users, posts");
    users = (await c.query<UserRow>(usersSql)).rows;
    postCount = (await c.query<{ n: number }>(countSql)).rows[0]!.n;
    deep = (await c.query<{ created_at: string; id: string }>(deepSql(Math.floor(postCount * 0.9)))).rows[0]!;
    await c.end();
  } else {
    const { PGlite } = await import("@electric-sql/pglite");
    const lite = await PGlite.create(join(dataDirs[0]!, "pgdata"));
    await lite.exec("VACUUM (ANALYZE) users, posts");
    users = (await lite.query<UserRow>(usersSql)).rows;
    postCount = (await lite.query<{ n: number }>(countSql)).rows[0]!.n;
    deep = (await lite.query<{ created_at: string; id: string }>(deepSql(Math.floor(postCount * 0.9)))).rows[0]!;
    await lite.close();
    secret = readFileSync(join(dataDirs[0]!, "jwt-secret"), "utf8").trim();
    for (const copy of dataDirs.slice(1)) cpSync(dataDirs[0]!, copy, { recursive: true });
  }
  if (users.length < 1000) log(`WARNING: only ${users.length} users: the load rotates fewer than 1,000 tokens`);
  const data: LoadData = {
    tokens: users.map((u) => signAccessToken(secret, u.id, u.username)),
    userIds: users.map((u) => u.id),
    emails: users.map((u) => u.email),
    password: "niotebook-demo",
    deepCursor: encodeCursor(deep.created_at, deep.id),
  };
  const dataFile = join(work, `load-data-${db}.json`);
  writeFileSync(dataFile, JSON.stringify(data));

  // Servers: limits off and x1000 (and NIOTEBOOK_WORKERS=auto on PostgreSQL when supported).
  const conn = (i: number) => ({ dbUrl, secret, dataDir: dataDirs[i] });
  const servers: Server[] = [await startServer(db, "off", "1", conn(0)), await startServer(db, "x1000", "1", conn(1))];
  const workers: SectionResult["workers"] = { supported: workersSupported && db === "postgres" };
  if (db === "embedded") workers.note = "NIOTEBOOK_WORKERS is PostgreSQL only";
  else if (!workersSupported) workers.note = "server has no NIOTEBOOK_WORKERS (not in --help): n/a";
  if (workers.supported) {
    const auto = await startServer(db, "off", "auto", conn(0));
    await sleep(1_000);
    auto.processes = processTree(auto.child.pid!).length;
    workers.autoProcesses = auto.processes;
    if (auto.processes < 2) workers.note = `NIOTEBOOK_WORKERS=auto started ${auto.processes} process(es)`;
    servers.push(auto);
  }
  const main = servers[0]!;

  // Pre-flight: every token works, each scenario answers what it should, and the capture of a
  // real first page for the HTTP ceilings.
  const preflight: string[] = [];
  const get = (url: string, path: string, token?: string, init: RequestInit = {}) =>
    fetch(url + path, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> ?? {}) } });
  for (let i = 0; i < data.tokens.length; i += 50) {
    const batch = await Promise.all(data.tokens.slice(i, i + 50).map((t) => get(main.url, "/api/v1/users/me", t).then((r) => r.status)));
    const bad = batch.filter((s) => s !== 200);
    if (bad.length) throw new Error(`pre-flight: ${bad.length} tokens refused (${bad[0]})`);
  }
  preflight.push(`all ${data.tokens.length} tokens accepted by GET /users/me`);
  const firstRes = await get(main.url, "/api/v1/timeline?limit=50", data.tokens[0]);
  const firstBody = Buffer.from(await firstRes.arrayBuffer());
  const first = JSON.parse(firstBody.toString()) as { posts: Array<{ created_at: string }>; has_more: boolean };
  if (firstRes.status !== 200 || first.posts.length !== 50 || !first.has_more) throw new Error(`pre-flight: first page ${firstRes.status}`);
  const deepRes = await get(main.url, `/api/v1/timeline?limit=50&cursor=${data.deepCursor}`, data.tokens[1]);
  const deepPage = (await deepRes.json()) as { posts: Array<{ created_at: string }> };
  if (deepRes.status !== 200 || deepPage.posts.length !== 50 || !(deepPage.posts[0]!.created_at < deep.created_at || deepPage.posts[0]!.created_at === deep.created_at)) {
    throw new Error(`pre-flight: deep page ${deepRes.status} (${deepPage.posts.length} posts)`);
  }
  const userRes = await get(main.url, `/api/v1/users/${data.userIds[13]}/posts?limit=50`, data.tokens[2]);
  if (userRes.status !== 200) throw new Error(`pre-flight: user posts ${userRes.status}`);
  const loginRes = await fetch(`${main.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: data.emails[3], password: data.password }) });
  if (loginRes.status !== 200) throw new Error(`pre-flight: login ${loginRes.status}`);
  const badRes = await get(main.url, "/api/v1/timeline?limit=50", data.tokens[0]!.slice(0, -2) + "xx");
  if (badRes.status !== 401) throw new Error(`pre-flight: a forged token got ${badRes.status}, not 401`);
  preflight.push(`first page 200 with 50 posts (${firstBody.length} bytes); deep page 200 with 50 posts before the cursor; user page 200; login 200; forged token 401`);
  for (const s of servers.slice(1)) {
    const r = await get(s.url, "/api/v1/timeline?limit=50", data.tokens[5]);
    if (r.status !== 200) throw new Error(`pre-flight: ${s.name} first page ${r.status}`);
  }
  // (The pre-flight's own posts: none. POST is checked by the scenario's error count.)

  const bodyFile = join(work, `first-page-${db}.json`);
  writeFileSync(bodyFile, firstBody);
  const headers: Record<string, string> = {};
  for (const h of ["content-type", "x-content-type-options", "cache-control"]) {
    const v = firstRes.headers.get(h);
    if (v) headers[h] = v;
  }
  const ceilings = [await startCeiling("http", bodyFile, headers, secret), await startCeiling("essential", bodyFile, headers, secret)];
  for (const c of ceilings) {
    const r = await get(c.url, "/api/v1/timeline?limit=50", data.tokens[0]);
    const b = Buffer.from(await r.arrayBuffer());
    if (r.status !== 200 || !b.equals(firstBody)) throw new Error(`pre-flight: ceiling ${c.mode} does not answer the captured page`);
  }
  const forged = await get(ceilings[1]!.url, "/", data.tokens[0]!.slice(0, -2) + "xx");
  if (forged.status !== 401) throw new Error("pre-flight: the essential-work ceiling accepted a forged token");
  preflight.push("both HTTP ceilings answer the captured bytes; the essential-work ceiling refuses a forged token");

  const logs = new Map<string, LogScan>();
  const measurements: Measurement[] = [];
  const rssAfterMixed: SectionResult["rssAfterMixed"] = {};
  const dbBase = {
    db, url: dbUrl, dataDir: dataDirs[2], connections: opts.dbClients, durationS: opts.durationS, warmupS: opts.warmupS,
    deep: { createdAt: deep.created_at, id: deep.id }, userIds: data.userIds,
  };
  const order: Server[] = [servers[1]!, ...servers.slice(2), main];
  // One round: the other configurations first, then the main server's scenarios, each next to
  // its ceiling, so the pair sees the same moment of this shared machine. (The auto block runs
  // first so its pools are idle-closed before the 64-client database ceilings need connections.)
  type Step = { server: Server; scenario: Scenario } | { ceiling: (typeof ceilings)[number] } | { query: "first" | "deep" | "user" | "hash" };
  const steps: Step[] = [];
  for (const s of servers.filter((x) => x !== main)) {
    const scenarios: readonly Scenario[] = s.workers === "auto" ? ["timeline-first", "timeline-deep", "user-posts", "mixed"] : SCENARIOS;
    for (const scenario of scenarios) steps.push({ server: s, scenario });
  }
  steps.sort((a, b) => ("server" in a && a.server.workers === "auto" ? 0 : 1) - ("server" in b && b.server.workers === "auto" ? 0 : 1));
  steps.push({ ceiling: ceilings[0]! }, { ceiling: ceilings[1]! }, { server: main, scenario: "timeline-first" }, ...(flags["db-first"] ? [{ query: "first" as const }] : []),
    { server: main, scenario: "timeline-deep" }, { query: "deep" }, { server: main, scenario: "user-posts" }, { query: "user" },
    { server: main, scenario: "create-post" }, { server: main, scenario: "login" }, { query: "hash" }, { server: main, scenario: "mixed" });
  const pgCpu = db === "postgres" ? await pgCpuMeter(adminUrl, opts.pgDatabase) : undefined;
  // Warm-up pass, not recorded: a fresh server's JIT is cold, and CPU per request still falls by
  // a third over the first minute of load. (The database ceiling warms itself up.)
  log(`${db} warm-up: every server scenario and HTTP ceiling once for ${WARM_UP_S} s, not recorded`);
  for (const step of steps) {
    if ("query" in step || ("server" in step && step.scenario === "login")) continue;
    const target = "server" in step
      ? { url: step.server.url, pid: step.server.child.pid!, name: step.server.name, logPath: step.server.logPath }
      : { url: step.ceiling.url, pid: step.ceiling.child.pid!, name: `ceiling-${step.ceiling.mode}`, logPath: step.ceiling.logPath };
    await measureLoad(0, target, "server" in step ? step.scenario : "timeline-first", { id: `warm-up`, kind: "scenario", durationS: WARM_UP_S, warmupS: 0 }, dataFile, logs);
  }
  for (let r = 1; r <= opts.rounds; r++) {
    log(`${db} round ${r}/${opts.rounds}`);
    for (const step of steps) {
      if (!loginRound(r) && (("server" in step && step.scenario === "login") || ("query" in step && step.query === "hash"))) continue;
      if ("server" in step) {
        const { server: s, scenario } = step;
        const m = await measureLoad(r, { url: s.url, pid: s.child.pid!, name: s.name, logPath: s.logPath }, scenario,
          { id: `${s.name}-${scenario}-r${r}`, kind: "scenario", limits: s.limits, workers: s.workers, ...(scenario === "login" ? LOGIN_WINDOW : {}) }, dataFile, logs, pgCpu);
        measurements.push(m);
        if (scenario === "mixed") (rssAfterMixed[s.name] ??= []).push({ round: r, ...m.rssAfter! });
        const res = m.result as LoadResult;
        log(`  ${s.name.padEnd(22)} ${scenario.padEnd(15)} ${fmt(res.rps, 0).padStart(7)} req/s  p50 ${fmt(res.p50, 2)}  p99 ${fmt(res.p99, 2)}  errors ${res.errors}  rss ${m.rssPeak!.maxProcessMb} MB  cpu ${fmt(m.cpu?.nodeUsPerReq, 0)}+${fmt(m.cpu?.dbUsPerReq, 0)} µs/req`);
      } else if ("ceiling" in step) {
        const c = step.ceiling;
        const m = await measureLoad(r, { url: c.url, pid: c.child.pid!, name: `ceiling-${c.mode}`, logPath: c.logPath }, "timeline-first",
          { id: `ceiling-${c.mode}-r${r}`, kind: "ceiling" }, dataFile, logs);
        m.scenario = `ceiling-${c.mode}`;
        measurements.push(m);
        const res = m.result as LoadResult;
        log(`  ${("ceiling-" + c.mode).padEnd(22)} ${"".padEnd(15)} ${fmt(res.rps, 0).padStart(7)} req/s  p50 ${fmt(res.p50, 2)}  p99 ${fmt(res.p99, 2)}  errors ${res.errors}  cpu ${fmt(m.cpu?.nodeUsPerReq, 0)} µs/req`);
      } else {
        const query = step.query;
        if (db === "postgres" && query !== "hash") {
          const waited = await pgHeadroom(adminUrl, opts.dbClients);
          if (waited > 1_500) log(`  (waited ${(waited / 1000).toFixed(0)} s for PostgreSQL connection headroom)`);
        }
        const cfg: DbCeilingConfig = query === "hash"
          ? { ...dbBase, ...LOGIN_WINDOW, query, password: data.password, passwordHash: users[0]!.password_hash }
          : { ...dbBase, query };
        const m = await measureDb(r, `db-${query}`, cfg);
        measurements.push(m);
        const res = m.result as DbResult;
        log(`  ${("ceiling-db-" + query).padEnd(22)} ${"".padEnd(15)} ${fmt(res.rps, 0).padStart(7)} q/s    p50 ${fmt(res.p50, 2)}  p99 ${fmt(res.p99, 2)}  errors ${res.errors}  cpu ${fmt(m.cpu?.nodeUsPerReq, 0)}+${fmt(m.cpu?.dbUsPerReq, 0)} µs/q${res.firstError ? " " + res.firstError : ""}`);
      }
    }
  }
  await pgCpu?.close();

  // Latency under a fixed rate (70% of the measured maximum) against one connection's p50.
  const mainTarget = { url: main.url, pid: main.child.pid!, name: main.name, logPath: main.logPath };
  const fixedRates: FixedRateRun[] = [];
  for (const scenario of FIXED_RATE_SCENARIOS(db)) {
    await quiesce(main.child.pid!);
    const single = (await measureLoad(0, mainTarget, scenario,
      { id: `${main.name}-${scenario}-single`, kind: "scenario", connections: 1 }, dataFile, logs)).result as LoadResult;
    // The maximum is measured once more right before the paced run and taken with the rounds'
    // as one median: "70%" follows what the machine gives now, but one lucky 2-s run (seen: 15%
    // over the rounds' median, which put the paced run past saturation) does not set the rate.
    const rounds = measurements.filter((m) => m.server === main.name && m.scenario === scenario);
    const roundsRps = rounds.map((m) => (m.result as LoadResult).rps);
    const roundsCpu = rounds.map((m) => m.cpu?.nodeUsPerReq ?? NaN);
    const fresh = (await measureLoad(0, mainTarget, scenario, { id: `${main.name}-${scenario}-max`, kind: "scenario" }, dataFile, logs)).result as LoadResult;
    const maxRps = median([...roundsRps, fresh.rps]);
    // The page's query alone, done as the server does it (its pool size, named prepared
    // statements): at one client here, then at each fixed rate below.
    const query = DB_QUERY_OF[scenario];
    const asServer = query ? { ...dbBase, query, prepared: true } : undefined;
    const dbSingle = asServer ? (await measureDb(0, `db-${query}-single`, { ...asServer, connections: 1 })).result as DbResult : undefined;
    for (const fraction of fixedFractions) {
      const rate = Math.max(1, Math.round(maxRps * fraction));
      await quiesce(main.child.pid!);
      const paced = await withSteal(() => measureLoad(0, mainTarget, scenario,
        { id: `${main.name}-${scenario}-fixed`, kind: "scenario", mode: "paced", rate, durationS: opts.durationS * 3, warmupS: PACED_WARMUP_S, windows: windowsOf(opts.durationS * 3) }, dataFile, logs));
      const fixed = paced.result as LoadResult;
      log(`  ${scenario}: single connection p50 ${fmt(single.p50, 2)} ms; at ${rate} req/s (${shareOf(fraction)} of ${fmt(maxRps, 0)}): p50 ${fmt(fixed.p50, 2)} p99 ${fmt(fixed.p99, 2)} ms (windows ${fixed.windowP99s?.map((x) => fmt(x, 2)).join(", ")}; the server's own p99 ${fmt(paced.serverSide?.p99, 2)}; CPU stolen ${fmt(paced.stealPct, 1)}%; server CPU ${fmt(paced.cpu?.nodeUsPerReq, 0)} µs/req against ${fmt(median(roundsCpu), 0)} in the rounds), ${fixed.rps} req/s answered`);
      // The same rate through the database alone: the tail this machine gives the query itself,
      // a floor for the page's.
      let database: FixedRateRun["database"];
      if (asServer && dbSingle) {
        if (db === "postgres") await pgHeadroom(adminUrl, SERVER_POOL_SIZE);
        const dbPaced = await withSteal(() => measureDb(0, `db-${query}-fixed`, { ...asServer, connections: SERVER_POOL_SIZE, mode: "paced", rate, durationS: opts.durationS * 2, warmupS: PACED_WARMUP_S, windows: windowsOf(opts.durationS * 2) }));
        const dbFixed = dbPaced.result as DbResult;
        database = { single: dbSingle, fixed: dbFixed, stealPct: dbPaced.stealPct };
        log(`  ${scenario} query alone: one client p50 ${fmt(dbSingle.p50, 2)} ms; at ${rate}/s: p50 ${fmt(dbFixed.p50, 2)} p99 ${fmt(dbFixed.p99, 2)} ms`);
      }
      fixedRates.push({ scenario, single, fixed, fraction, maxRps, freshMaxRps: fresh.rps, roundsMaxRps: median(roundsRps), database, serverSide: paced.serverSide, stealPct: paced.stealPct,
        serverCpuUsPerReq: { paced: paced.cpu?.nodeUsPerReq, rounds: median(roundsCpu) } });
    }
  }
  // The first page's rate against the essential-work ceiling: the tail this machine and load
  // generator give a server that does nothing but the unavoidable work, for comparison.
  let ceilingAtFixedRate: SectionResult["ceilingAtFixedRate"];
  const firstRuns = fixedRates.filter((f) => f.scenario === "timeline-first");
  const firstFixed = firstRuns.find((f) => f.fraction === TARGET_FRACTION) ?? firstRuns[firstRuns.length - 1];
  if (firstFixed) {
    const rate = firstFixed.fixed.targetRate!;
    const essential = ceilings[1]!;
    const essentialTarget = { url: essential.url, pid: essential.child.pid!, name: "ceiling-essential", logPath: essential.logPath };
    await quiesce(essential.child.pid!);
    const single = (await measureLoad(0, essentialTarget, "timeline-first",
      { id: "ceiling-essential-single", kind: "ceiling", connections: 1 }, dataFile, logs)).result as LoadResult;
    const fixed = (await measureLoad(0, essentialTarget, "timeline-first",
      { id: "ceiling-essential-fixed", kind: "ceiling", mode: "paced", rate, durationS: opts.durationS * 3, warmupS: PACED_WARMUP_S, windows: windowsOf(opts.durationS * 3) }, dataFile, logs)).result as LoadResult;
    ceilingAtFixedRate = { single, fixed };
    log(`  essential-work ceiling: single connection p50 ${fmt(single.p50, 2)} ms; at ${rate} req/s: p50 ${fmt(fixed.p50, 2)} p99 ${fmt(fixed.p99, 2)} ms`);
  }

  // The plans after the write load (posts grew during the run): the same pages as the scenarios.
  let postsAtEnd: number | undefined;
  const plansAtEnd: SectionResult["plansAtEnd"] = [];
  if (db === "postgres") {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    postsAtEnd = (await c.query<{ n: number }>(countSql)).rows[0]!.n;
    const queries: Array<[string, string, unknown[]]> = [
      ["first page", TIMELINE_SQL(false), []],
      ["deep page", TIMELINE_SQL(true), [deep.created_at, deep.id]],
      ...[13, 20, 27].map((k): [string, string, unknown[]] => [`user page (user #${k})`, USER_POSTS_SQL, [data.userIds[k]]]),
    ];
    for (const [name, text, values] of queries) {
      const plan = (await c.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values)).rows.map((x) => x["QUERY PLAN"]).join("\n");
      plansAtEnd.push({ name, plan });
    }
    await c.end();
  }
  for (const s of servers) {
    await stopChild(s.child);
    scanLog(s.logPath, logs, s.name);
    const errText = readFileSync(join(work, `${s.name}.err`), "utf8").trim();
    if (errText) (logs.get(s.name) ?? { samples: [] as string[] }).samples.push(`stderr: ${errText.slice(0, 400)}`);
  }
  for (const c of ceilings) await stopChild(c.child);
  await stopWorker("ceiling-db.ts");
  if (db === "postgres") {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${opts.pgDatabase} WITH (FORCE)`);
    await admin.end();
  } else {
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  }
  return {
    db,
    seed: { users: users.length, posts: postCount, ms: Math.round(seeded.ms), output: seeded.stdout.trim() },
    postsAtEnd,
    plansAtEnd,
    workers,
    tokens: { count: data.tokens.length, how: "signed by the benchmark with the server's HS256 secret (node:crypto), one per seeded user; checked against GET /users/me first" },
    deepCursor: { createdAt: deep.created_at, id: deep.id, offset: Math.floor(postCount * 0.9) },
    servers: servers.map((s) => ({ name: s.name, processes: s.processes, url: s.url })),
    measurements,
    fixedRates,
    ceilingAtFixedRate,
    rssAfterMixed,
    logs: Object.fromEntries(logs),
    preflight,
  };
}

// ── summary ─────────────────────────────────────────────────────────────────────────────
interface Row {
  db: string;
  scenario: string;
  workers: string;
  limits: string;
  rps: number;
  p50: number;
  p99: number;
  p99OverP50: number;
  errors: number;
  errorsTotal: number;
  rssPeakMb: number;
  ceiling: string;
  ratio: number;
  ratioHttp?: number;
  /** CPU per request, µs: node processes + PostgreSQL backends */
  cpuNodeUs: number;
  cpuDbUs?: number;
  /** ceiling's CPU per request ÷ this scenario's (drift-proof companion to `ratio`) */
  cpuRatio: number;
  byStatus: Record<string, number>;
}

const CEILING_OF: Record<Scenario, { id: string; label: string }> = {
  "timeline-first": { id: "ceiling-essential", label: "essential work" },
  "timeline-deep": { id: "db-deep", label: "database (deep page)" },
  "user-posts": { id: "db-user", label: "database (user page)" },
  "create-post": { id: "ceiling-essential", label: "essential work" },
  login: { id: "db-hash", label: "argon2id verify" },
  mixed: { id: "ceiling-essential", label: "essential work" },
};

function summarize(s: SectionResult): { rows: Row[]; ceilings: Array<{ id: string; rps: number; p50: number; p99: number; errors: number; rowsPerQuery?: number; cpuNodeUs: number; cpuDbUs: number }> } {
  const byRound = (id: string) => new Map(s.measurements.filter((m) => m.scenario === id).map((m) => [m.round, m.result.rps]));
  const ceilingIds = ["ceiling-http", "ceiling-essential", "db-first", "db-deep", "db-user", "db-hash"].filter((id) => s.measurements.some((m) => m.scenario === id));
  const ceilings = ceilingIds.map((id) => {
    const ms = s.measurements.filter((m) => m.scenario === id);
    return {
      id,
      cpuNodeUs: median(ms.map((m) => m.cpu?.nodeUsPerReq ?? NaN)),
      cpuDbUs: median(ms.map((m) => m.cpu?.dbUsPerReq ?? NaN)),
      rps: median(ms.map((m) => m.result.rps)),
      p50: median(ms.map((m) => m.result.p50)),
      p99: median(ms.map((m) => m.result.p99)),
      errors: median(ms.map((m) => m.result.errors)),
      rowsPerQuery: "rowsPerQuery" in (ms[0]?.result ?? {}) ? (ms[0]!.result as DbResult).rowsPerQuery : undefined,
    };
  });
  const rows: Row[] = [];
  for (const server of s.servers) {
    for (const scenario of SCENARIOS) {
      const ms = s.measurements.filter((m) => m.server === server.name && m.scenario === scenario && m.round > 0);
      if (ms.length === 0) continue;
      const res = ms.map((m) => m.result as LoadResult);
      const ceiling = CEILING_OF[scenario];
      const ceil = byRound(ceiling.id), http = byRound("ceiling-http");
      const byStatus: Record<string, number> = {};
      for (const r of res) for (const [k, v] of Object.entries(r.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + v;
      const cpuOf = (m: Measurement | undefined) => (m?.cpu ? (m.cpu.nodeUsPerReq ?? NaN) + (m.cpu.dbUsPerReq ?? 0) : NaN);
      const ceilingCpu = new Map(s.measurements.filter((m) => m.scenario === ceiling.id).map((m) => [m.round, cpuOf(m)]));
      rows.push({
        db: s.db, scenario, workers: ms[0]!.workers!, limits: ms[0]!.limits!,
        cpuNodeUs: median(ms.map((m) => m.cpu?.nodeUsPerReq ?? NaN)),
        cpuDbUs: s.db === "postgres" ? median(ms.map((m) => m.cpu?.dbUsPerReq ?? NaN)) : undefined,
        cpuRatio: median(ms.map((m) => (ceilingCpu.get(m.round) ?? NaN) / cpuOf(m))),
        rps: median(res.map((r) => r.rps)),
        p50: median(res.map((r) => r.p50)),
        p99: median(res.map((r) => r.p99)),
        p99OverP50: median(res.map((r) => r.p99 / r.p50)),
        errors: median(res.map((r) => r.errors)),
        errorsTotal: res.reduce((a, r) => a + r.errors, 0),
        rssPeakMb: median(ms.map((m) => m.rssPeak!.maxProcessMb)),
        ceiling: ceiling.label,
        ratio: median(ms.map((m) => m.result.rps / (ceil.get(m.round) ?? NaN))),
        ratioHttp: scenario === "timeline-first" ? median(ms.map((m) => m.result.rps / (http.get(m.round) ?? NaN))) : undefined,
        byStatus,
      });
    }
  }
  return { rows, ceilings };
}

interface Target {
  db: string;
  target: string;
  measured: string;
  goal: string;
  pass: boolean | null;
}

function targets(s: SectionResult, rows: Row[]): Target[] {
  const out: Target[] = [];
  const row = (scenario: string, workers = "1", limits = "off") => rows.find((r) => r.scenario === scenario && r.workers === workers && r.limits === limits);
  const first = row("timeline-first");
  if (first) {
    out.push({ db: s.db, target: "first page / essential-work ceiling", measured: pct(first.ratio), goal: "≥ 70%", pass: first.ratio >= 0.7 });
    out.push({ db: s.db, target: "first page / bare HTTP ceiling", measured: pct(first.ratioHttp!), goal: "(reported)", pass: null });
  }
  for (const sc of ["timeline-deep", "user-posts"]) {
    const r = row(sc);
    if (r) out.push({ db: s.db, target: `${sc} / database ceiling`, measured: pct(r.ratio), goal: "≥ 45%", pass: r.ratio >= 0.45 });
  }
  // The issue states the tail targets for deep and user pages; the other scenarios' tails are
  // reported beside them.
  const TAIL_TARGETED = new Set(["timeline-deep", "user-posts"]);
  const tail = (subset: Row[], label: string, targeted: boolean) => {
    const worst = [...subset].sort((a, b) => b.p99OverP50 - a.p99OverP50);
    const failing = worst.filter((r) => !(r.p99OverP50 <= 3));
    out.push({
      db: s.db, target: `p99 ≤ 3× p50, ${label} (every configuration, ${opts.connections} connections)`,
      measured: failing.length ? `${failing.length} over: ${failing.slice(0, 4).map((r) => `${r.scenario}/w${r.workers}/${r.limits} ${fmt(r.p99OverP50, 1)}×`).join(", ")}` : `worst ${fmt(worst[0]?.p99OverP50, 1)}× (${worst[0]?.scenario}/w${worst[0]?.workers}/${worst[0]?.limits})`,
      goal: targeted ? "≤ 3×" : "(reported)", pass: targeted ? failing.length === 0 : null,
    });
  };
  tail(rows.filter((r) => TAIL_TARGETED.has(r.scenario)), "deep and user pages", true);
  tail(rows.filter((r) => !TAIL_TARGETED.has(r.scenario)), "other scenarios", false);
  for (const f of s.fixedRates) {
    const ratio = tailP99(f.fixed) / f.single.p50, targeted = TAIL_TARGETED.has(f.scenario) && f.fraction === TARGET_FRACTION;
    out.push({
      db: s.db, target: `${f.scenario} at a fixed ${f.fixed.targetRate} req/s (${shareOf(f.fraction)} of max): p99 (median of its windows) / single-connection p50`,
      measured: `${fmt(tailP99(f.fixed), 2)} / ${fmt(f.single.p50, 2)} ms = ${fmt(ratio, 1)}× (whole run's p99 ${fmt(f.fixed.p99 / f.single.p50, 1)}×)${f.fixed.rps < f.fixed.targetRate! * 0.97 ? ` (only ${f.fixed.rps} req/s answered)` : ""}`,
      goal: targeted ? "≤ 4×" : "(reported)", pass: targeted ? ratio <= 4 : null,
    });
    if (f.database) {
      const d = f.database;
      out.push({
        db: s.db, target: `the ${f.scenario} query alone (no HTTP) at the same rate: p99 / its one-client p50`,
        measured: `${fmt(tailP99(d.fixed), 2)} / ${fmt(d.single.p50, 2)} ms = ${fmt(tailP99(d.fixed) / d.single.p50, 1)}×`, goal: "(reported)", pass: null,
      });
      // The page cannot be faster than its own query: if the query alone's p99 at this rate is
      // already over the page's budget, no server on this machine meets the target.
      if (targeted) {
        const budget = 4 * f.single.p50;
        out.push({
          db: s.db, target: `${f.scenario}: the query alone's p99 at the same rate against the page's budget (4 × its single-connection p50)`,
          measured: `${fmt(tailP99(d.fixed), 2)} vs ${fmt(budget, 2)} ms: ${tailP99(d.fixed) > budget ? "the floor alone is over the budget" : "under the budget"}`, goal: "(reported)", pass: null,
        });
      }
    }
  }
  const c = s.ceilingAtFixedRate;
  if (c) {
    out.push({
      db: s.db, target: "the essential-work ceiling at the first page's fixed rate: p99 / its single-connection p50",
      measured: `${fmt(tailP99(c.fixed), 2)} / ${fmt(c.single.p50, 2)} ms = ${fmt(tailP99(c.fixed) / c.single.p50, 1)}×`, goal: "(reported)", pass: null,
    });
  }
  const limit = s.db === "postgres" ? 250 : 400;
  for (const [server, samples] of Object.entries(s.rssAfterMixed)) {
    const maxMb = Math.max(...samples.map((x) => x.maxProcessMb));
    out.push({ db: s.db, target: `RSS after mixed, largest process (${server})`, measured: `${fmt(maxMb, 0)} MB`, goal: `< ${limit} MB`, pass: maxMb < limit });
    const r2 = samples.find((x) => x.round === 2), r5 = samples.find((x) => x.round === 5);
    out.push({
      db: s.db, target: `RSS round 5 ≤ round 2 + 5% (${server})`,
      measured: r2 && r5 ? `${fmt(r2.totalMb, 0)} → ${fmt(r5.totalMb, 0)} MB (${fmt((r5.totalMb / r2.totalMb - 1) * 100, 1)}%)` : `n/a (${samples.length} rounds)`,
      goal: "≤ +5%", pass: r2 && r5 ? r5.totalMb <= r2.totalMb * 1.05 : null,
    });
  }
  if (s.db === "postgres") {
    const auto = row("timeline-first", "auto");
    out.push({
      db: s.db, target: "NIOTEBOOK_WORKERS=auto vs 1 (first page req/s)",
      measured: auto && first ? `${fmt(auto.rps, 0)} vs ${fmt(first.rps, 0)} (${fmt(auto.rps / first.rps, 2)}×, ${s.workers.autoProcesses} processes)` : `n/a — ${s.workers.note ?? "not run"}`,
      goal: "(reported)", pass: null,
    });
  }
  return out;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : "n/a");

function markdown(meta: Record<string, unknown>, sections: SectionResult[], summaries: Array<ReturnType<typeof summarize>>, allTargets: Target[]): string {
  const lines: string[] = [];
  lines.push(`# Niotebook benchmark — ${startedAt.toISOString()}`, "");
  lines.push(`commit ${String(meta.commit).slice(0, 12)}${meta.dirty ? " (+ uncommitted changes in src/)" : ""}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average at start ${String(meta.loadStart)}`);
  lines.push(`${opts.connections} connections from ${opts.sources} loopback addresses, ${opts.rounds} rounds × ${opts.durationS} s (+${opts.warmupS} s warm-up) per scenario (login and its ceiling: ${LOGIN_WINDOW.durationS} s + ${LOGIN_WINDOW.warmupS} s, in odd rounds only), medians over rounds. ` +
    `"ratio" = the scenario's req/s ÷ its ceiling's req/s in the same round (median over rounds). "CPU ratio" = the ceiling's CPU time per request ÷ the scenario's (node processes + PostgreSQL backends, from /proc), which other tenants of the machine barely move. ` +
    `Load generator: autocannon ${meta.autocannon} in its own long-lived process; latencies are those of 2xx answers; errors = non-2xx + socket errors + timeouts.` +
    (opts.serverNice ? ` **--server-nice ${opts.serverNice}:** the server, its workers, the HTTP ceilings and the database ceiling's client ran at nice ${opts.serverNice}; PostgreSQL and the load generator at the default.` : ""), "");
  sections.forEach((s, i) => {
    const { rows, ceilings } = summaries[i]!;
    lines.push(`## ${s.db === "postgres" ? "PostgreSQL" : "Embedded (PGlite)"} — ${fmtInt(s.seed.users)} users, ${fmtInt(s.seed.posts)} posts${s.postsAtEnd ? ` (${fmtInt(s.postsAtEnd)} at the end)` : ""}`, "");
    lines.push(`Tokens: ${s.tokens.count} users' tokens, ${s.tokens.how}.`, "");
    const cpuCell = (node: number, dbUs: number | undefined) => (s.db === "postgres" ? `${fmt(node, 0)} + ${fmt(dbUs, 0)}` : fmt(node, 0));
    lines.push(`| scenario | workers | limits | req/s | p50 ms | p99 ms | p99/p50 | errors | peak RSS MB | ratio | to ceiling | CPU µs/req (${s.db === "postgres" ? "node + pg" : "node"}) | CPU ratio |`);
    lines.push("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
    for (const r of rows) {
      const statuses = Object.entries(r.byStatus).map(([k, v]) => `${k}×${v}`).join(" ");
      lines.push(`| ${r.scenario} | ${r.workers} | ${r.limits} | ${fmtInt(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.p99OverP50, 1)} | ${fmtInt(r.errors)}${statuses ? ` (${statuses} in all)` : ""} | ${fmt(r.rssPeakMb, 0)} | ${pct(r.ratio)}${r.ratioHttp !== undefined ? ` (${pct(r.ratioHttp)} of HTTP)` : ""} | ${r.ceiling} | ${cpuCell(r.cpuNodeUs, r.cpuDbUs)} | ${pct(r.cpuRatio)} |`);
    }
    if (!s.workers.supported && s.db === "postgres") lines.push(`| (all) | auto | off | n/a | n/a | n/a | n/a | n/a | n/a | n/a | ${s.workers.note} | n/a | n/a |`);
    lines.push("", "| ceiling (same rounds) | req/s | p50 ms | p99 ms | errors | CPU µs/req |", "|---|---:|---:|---:|---:|---:|");
    const names: Record<string, string> = {
      "ceiling-http": "HTTP: bare node:http, same bytes as a real first page",
      "ceiling-essential": "essential work: + HS256 verify (node:crypto) + the JSON log line",
      "db-first": `database: first-page query, ${opts.dbClients} clients, no HTTP`,
      "db-deep": `database: deep-page query (cursor at 90%), ${opts.dbClients} clients`,
      "db-user": `database: user-posts query, ${opts.dbClients} clients`,
      "db-hash": `argon2id verifyPassword, ${opts.dbClients} at a time`,
    };
    for (const c of ceilings) lines.push(`| ${names[c.id]}${c.rowsPerQuery !== undefined && c.id !== "db-hash" ? ` (${fmt(c.rowsPerQuery, 0)} rows)` : ""} | ${fmtInt(c.rps)} | ${fmt(c.p50, 2)} | ${fmt(c.p99, 2)} | ${fmtInt(c.errors)} | ${c.id.startsWith("db-") && c.id !== "db-hash" && s.db === "postgres" ? `${fmt(c.cpuNodeUs, 0)} + ${fmt(c.cpuDbUs, 0)}` : fmt(c.cpuNodeUs, 0)} |`);
    const generatorAtMax = median(s.measurements.filter((m) => m.scenario === "timeline-first" && m.kind === "scenario").map((m) => (m.result as LoadResult).generatorCpuUsPerReq ?? NaN));
    if (s.fixedRates.length) {
      lines.push("", `Fixed rate: ${fixedFractions.map(shareOf).join(", ")} of the closed-loop maximum (the median of the rounds and one run just before), open loop, ${PACED_WARMUP_S} s unrecorded then ${opts.durationS * 3} s, latency from when each request was due ("sent": from when it was written); p99 is the median of ${windowsOf(opts.durationS * 3)} windows' p99 (${opts.durationS} s each, as long as a round), the whole run's p99 in brackets. "The server's own": the duration_ms of its log lines in the recorded span (request read to response written). "CPU stolen": the share of the machine's CPU time the host gave its other guests during the run (/proc/stat steal). The query alone: the page's SQL through the same driver, no HTTP, at the same rate (${opts.durationS * 2} s)${s.db === "postgres" ? `, as the server sends it: ${SERVER_POOL_SIZE} connections, named prepared statements` : ""}.` + (s.db === "embedded" ? " The first page is answered from memory whatever the database: its fixed-rate run is in the PostgreSQL section." : ""), "",
        "| scenario | one connection p50 / p99 ms | max req/s: median of the rounds and one run just before (that run) | fixed req/s answered | p50 ms | p99 ms (whole run) | p99 from sent ms | the server's own p50 / p99 ms | server CPU µs/req (rounds): its busy share of a core | CPU stolen | errors | driver CPU µs/req | the query alone: one client p50, at the same rate p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
      for (const f of s.fixedRates) {
        const d = f.database;
        lines.push(`| ${f.scenario}${fixedFractions.length > 1 ? ` at ${shareOf(f.fraction)}` : ""} | ${fmt(f.single.p50, 2)} / ${fmt(f.single.p99, 2)} | ${fmtInt(f.maxRps)} (${fmtInt(f.freshMaxRps)}) | ${fmtInt(f.fixed.rps)} of ${fmtInt(f.fixed.targetRate!)} | ${fmt(f.fixed.p50, 2)} | ${fmt(tailP99(f.fixed), 2)} (${fmt(f.fixed.p99, 2)}) | ${fmt(f.fixed.serviceP99, 2)} | ${f.serverSide ? `${fmt(f.serverSide.p50, 2)} / ${fmt(f.serverSide.p99, 2)}` : "—"} | ${busyShare(f)} | ${f.stealPct === undefined ? "—" : `${fmt(f.stealPct, 1)}%`} | ${fmtInt(f.fixed.errors)} | ${fmt(f.fixed.generatorCpuUsPerReq, 0)} | ${d ? `${fmt(d.single.p50, 2)}; ${fmt(d.fixed.p50, 2)} / ${fmt(tailP99(d.fixed), 2)} (${fmt(d.fixed.p99, 2)})${d.fixed.errors ? ` (${d.fixed.errors} errors)` : ""}${d.stealPct ? `, ${fmt(d.stealPct, 1)}% stolen` : ""}` : "—"} |`);
      }
      if (s.ceilingAtFixedRate) {
        lines.push("", `The essential-work ceiling at the first page's fixed rate: p50 ${fmt(s.ceilingAtFixedRate.fixed.p50, 2)} ms, p99 ${fmt(tailP99(s.ceilingAtFixedRate.fixed), 2)} ms (whole run ${fmt(s.ceilingAtFixedRate.fixed.p99, 2)}) (its single-connection p50 ${fmt(s.ceilingAtFixedRate.single.p50, 2)} ms); ` +
          `autocannon at full load used ${fmt(generatorAtMax, 0)} µs of CPU per request.`);
      }
    }
    const notes = Object.entries(s.logs).filter(([, l]) => l.warnOrWorse > 0 || l.status5xx > 0);
    if (notes.length) {
      lines.push("", "Server log: " + notes.map(([k, l]) => `${k}: ${l.warnOrWorse} warn/error lines, ${l.status5xx} 5xx`).join("; ") + ".");
    }
    lines.push("");
  });
  lines.push("## Targets", "", "| db | target | measured | goal | result |", "|---|---|---|---|---|");
  for (const t of allTargets) lines.push(`| ${t.db} | ${t.target} | ${t.measured} | ${t.goal} | ${t.pass === null ? "—" : t.pass ? "pass" : "**FAIL**"} |`);
  lines.push("", "Scale curve (first/deep page p50 at 10k, 100k, 1M posts; EXPLAIN plans): `npm run bench:scale`, see docs/.");
  return lines.join("\n") + "\n";
}

// ── main ────────────────────────────────────────────────────────────────────────────────
async function main(): Promise<void> {
  if (!flags["no-build"]) {
    log("building (npm run build)");
    await runOrThrow("npm", ["run", "build"], { cwd: ROOT });
  }
  const help = await run(NODE, [SERVER_BIN, "--help"], { env: serverEnv({}) });
  const workersSupported = /NIOTEBOOK_WORKERS/.test(help.stdout);
  const git = async (...args: string[]) => (await run("git", args, { cwd: ROOT })).stdout.trim();
  const distAge = (() => {
    try {
      return statSync(join(ROOT, "dist", "server", "main.js")).mtime.toISOString();
    } catch {
      return "missing";
    }
  })();
  const pgVersion = await (async () => {
    if (!opts.dbs.includes("postgres")) return undefined;
    const c = new pg.Client({ connectionString: `${opts.pgUrl}/postgres` });
    await c.connect();
    const v = (await c.query("SHOW server_version")).rows[0].server_version as string;
    await c.end();
    return v;
  })();
  const meta = {
    startedAt: startedAt.toISOString(),
    commit: await git("rev-parse", "HEAD"),
    dirty: (await git("status", "--porcelain", "--", "src")).length > 0,
    distBuiltAt: distAge,
    node: process.version,
    autocannon: (JSON.parse(readFileSync(join(ROOT, "node_modules", "autocannon", "package.json"), "utf8")) as { version: string }).version,
    postgres: pgVersion,
    machine: { hostname: hostname(), cpus: cpus().length, model: cpus()[0]?.model, memMb: Math.round(totalmem() / 2 ** 20), kernel: release() },
    loadStart: loadavg().map((x) => x.toFixed(2)).join(" "),
    cpuStart: machineCpu(),
    options: opts,
    workersSupported,
  };
  log(`commit ${meta.commit.slice(0, 12)}${meta.dirty ? " (dirty src/)" : ""}; workers ${workersSupported ? "supported" : "not supported (n/a)"}; load ${meta.loadStart}`);
  const sections: SectionResult[] = [];
  for (const db of opts.dbs) sections.push(await section(db, workersSupported));
  const summaries = sections.map(summarize);
  const allTargets = sections.flatMap((s, i) => targets(s, summaries[i]!.rows));
  const finishedAt = new Date();
  const cpuEnd = machineCpu();
  const stolen = cpuEnd.total > meta.cpuStart.total ? (cpuEnd.steal - meta.cpuStart.steal) / (cpuEnd.total - meta.cpuStart.total) : null;
  const result = {
    meta: {
      ...meta, finishedAt: finishedAt.toISOString(), seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000), loadEnd: loadavg().map((x) => x.toFixed(2)).join(" "),
      /** share of the machine's CPU time stolen by other guests of the host during the run */
      stolen,
    },
    summary: summaries.map((s, i) => ({ db: sections[i]!.db, ...s })),
    targets: allTargets,
    sections,
  };
  const md = markdown(meta, sections, summaries, allTargets) + `\nTook ${result.meta.seconds} s; load average at the end ${result.meta.loadEnd}` +
    `${stolen === null ? "" : `; CPU time stolen by other guests of the host during the run: ${fmt(stolen * 100, 1)}%`}.\n`;
  mkdirSync(flags.out!, { recursive: true });
  const swept = fixedFractions.length !== 1 || fixedFractions[0] !== TARGET_FRACTION;
  const base = join(flags.out!, `${stamp}${quick ? "-quick" : ""}${swept ? "-sweep" : ""}${opts.serverNice ? `-nice${opts.serverNice}` : ""}`);
  writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
  writeFileSync(`${base}.md`, md);
  process.stdout.write(md);
  log(`wrote ${base}.json and ${base}.md`);
}

try {
  await main();
} finally {
  await cleanup();
}

