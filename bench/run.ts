// `npm run bench` — the server benchmark. Every figure is set against a ceiling measured in
// the same round, on the same machine, with the same load generator, because absolute
// numbers on a shared 2-core machine drift from run to run.
//
//   node bench/run.ts [--db postgres|embedded|both] [--posts 100000] [--users 1000]
//                     [--rounds 5] [--duration 2] [--warmup 0.5] [--connections 64]
//                     [--quick] [--no-build] [--keep] [--db-first] [--pg-url postgres://postgres@127.0.0.1:5432]
//                     [--pg-database niotebook_bench] [--db-clients 64] [--fixed-fractions 0.7]
//                     [--server-nice 0] [--out bench/results] [--seed-users 10000] [--social-only] [--no-social]
//
// The social scenarios (issue 19: home feed first and deep page, a 200-reply thread, like/unlike,
// follow/unfollow) run by default, each beside the replay of the server's own statements for it
// (bench/social.ts, bench/social-run.ts); --seed-users users are seeded (10,000), the first
// --users of them read and write. --social-only: just those, the first page and its HTTP
// ceilings, on one server, without the fixed-rate runs; --no-social: without them.
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
import pg from "pg";
import {
  NODE, ROOT, SERVER_BIN, ISO, TIMELINE_SQL, TIMESTAMP_OIDS, USER_POSTS_SQL, closeFd, cpuTicks, fmt, fmtInt, freePort, logFd, median, processTree,
  machineCpu, percentile, quiesce, rssOf, rssSampler, run, runOrThrow, signAccessToken, sleep, stopChild, usageOf, waitForHealth, serverEnv} from "./lib.ts";
import { BASE_SCENARIOS, type LoadData, type Scenario } from "./scenarios.ts";
import { SOCIAL_SCENARIOS, type SocialScenario } from "./social-scenarios.ts";
import { openExec, pgExec, prepareSocial, socialPreflight } from "./social-run.ts";
import { seedTriggers, timelineCursor } from "./social.ts";
import type { LoadConfig, LoadResult } from "./load.ts";
import type { DbCeilingConfig } from "./ceiling-db.ts";
import { SERVER_POOL_SIZE, TARGET_FRACTION, parseOptions, shareOf, timingsOf } from "./options.ts";
import { report, type BenchResults, type DbResult, type FixedRateRun, type LogScan, type Measurement, type SectionResult, type ServerSideTimes } from "./report.ts";

// ── options ─────────────────────────────────────────────────────────────────────────────
const { flags, opts } = parseOptions(process.argv.slice(2));
if (flags.help) {
  console.log(usageOf(import.meta.url));
  process.exit(0);
}
const quick = opts.quick!, fixedFractions = opts.fixedFractions!;
const { loginWindow: LOGIN_WINDOW, pacedWarmupS: PACED_WARMUP_S, warmUpS: WARM_UP_S, windowsOf, loginRound } = timingsOf(opts);

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
      throw new Error(`--server-nice ${opts.serverNice}: could not renice ${what} (pid ${pid}): ${(error as Error).message}; below 0 needs root or CAP_SYS_NICE`, { cause: error });
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


/**
 * Reads what a process logged since the last scan, keeps warnings and 5xx, empties the file;
 * returns what it read.
 */
function scanLog(path: string, into: Map<string, LogScan>, key: string): string {
  let text: string;
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

/** Runs a measurement and notes how much CPU the host's other guests stole meanwhile. */
async function withSteal<T extends Measurement>(measure: () => Promise<T>): Promise<T> {
  const before = machineCpu();
  const m = await measure();
  const after = machineCpu();
  if (after.total > before.total) m.stealPct = Math.round(((after.steal - before.steal) / (after.total - before.total)) * 1000) / 10;
  return m;
}



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
const DB_QUERY_OF: Partial<Record<Scenario, "deep" | "user">> = { "timeline-deep": "deep", "user-posts": "user" };

/**
 * The scenarios whose latency is also measured at a fixed rate (the issue's tail target). The
 * first page (its tail reported, not targeted) only on PostgreSQL: it is answered from memory by
 * the same code whatever the database, and the embedded section's minutes are better spent elsewhere.
 */
const FIXED_RATE_SCENARIOS = (db: "postgres" | "embedded"): Scenario[] =>
  db === "postgres" ? ["timeline-first", "timeline-deep", "user-posts"] : ["timeline-deep", "user-posts"];


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
  // Migrated first, so the triggers only a live service needs can be off while seeding (bench/social.ts seedTriggers).
  await runOrThrow(NODE, [SERVER_BIN, "migrate"], { env: seedEnv });
  const where = db === "postgres" ? dbUrl! : join(dataDirs[0]!, "pgdata");
  const quiet = await openExec(db, where);
  const offWhileSeeding = await seedTriggers(quiet.exec, false);
  await quiet.close();
  // With the social scenarios, the readers' follows are the social seed's: the server's seed adds a few per user (not its 20).
  const seeded = await runOrThrow(NODE, [SERVER_BIN, "seed", "--users", String(opts.seedUsers ?? opts.users), "--posts", String(opts.posts), ...(opts.social ? ["--follows", "5"] : [])], { env: seedEnv });
  log(`seeded in ${(seeded.ms / 1000).toFixed(1)} s (off while seeding: ${offWhileSeeding.join(", ")}): ${seeded.stdout.trim()}`);

  // What the load needs, read straight from the database: users, their hashes, the deep cursor.
  const usersSql = `SELECT id, username, email, password_hash FROM users ORDER BY created_at, id LIMIT ${opts.users}`;
  const countSql = `SELECT count(*)::int AS n FROM posts`;
  const deepSql = (offset: number) => `SELECT ${ISO("created_at")} AS created_at, id FROM posts ORDER BY created_at DESC, id DESC OFFSET ${offset} LIMIT 1`;
  type UserRow = { id: string; username: string; email: string; password_hash: string };
  let users: UserRow[], postCount: number, deep: { created_at: string; id: string };
  let social: Awaited<ReturnType<typeof prepareSocial>> | undefined;
  // Statistics as a production database would have them after autovacuum.
  const vacuum = "VACUUM (ANALYZE) users, posts, follows, likes, reposts, post_mentions, post_tags";
  if (db === "postgres") {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    users = (await c.query<UserRow>(usersSql)).rows;
    if (opts.social) social = await prepareSocial(pgExec(c), users.map((u) => u.id), opts.seedUsers!, null);
    await seedTriggers(pgExec(c), true);
    await c.query(vacuum);
    postCount = (await c.query<{ n: number }>(countSql)).rows[0]!.n;
    deep = (await c.query<{ created_at: string; id: string }>(deepSql(Math.floor(postCount * 0.9)))).rows[0]!;
    await c.end();
  } else {
    const { PGlite } = await import("@electric-sql/pglite");
    const lite = await PGlite.create(join(dataDirs[0]!, "pgdata"), { parsers: Object.fromEntries(TIMESTAMP_OIDS.map((oid) => [oid, (v: string) => v])) });
    users = (await lite.query<UserRow>(usersSql)).rows;
    const exec = async (text: string, values?: unknown[]) => lite.query<Record<string, unknown>>(text, values, { rowMode: "object" });
    if (opts.social) social = await prepareSocial(exec, users.map((u) => u.id), opts.seedUsers!, new Date().toISOString().replace(/Z$/, "000Z"));
    await seedTriggers(exec, true);
    await lite.exec(vacuum);
    postCount = (await lite.query<{ n: number }>(countSql)).rows[0]!.n;
    deep = (await lite.query<{ created_at: string; id: string }>(deepSql(Math.floor(postCount * 0.9)))).rows[0]!;
    await lite.close();
    secret = readFileSync(join(dataDirs[0]!, "jwt-secret"), "utf8").trim();
    for (const copy of dataDirs.slice(1)) cpSync(dataDirs[0]!, copy, { recursive: true });
  }
  if (social) log(`social data in ${(social.section.setupMs / 1000).toFixed(1)} s: ${social.section.readers} readers follow ${social.section.followedPerReader} of ${fmtInt(opts.seedUsers)} users each; a thread of ${social.section.threadReplies} replies`);
  if (users.length < 1000) log(`WARNING: only ${users.length} users: the load rotates fewer than 1,000 tokens`);
  const data: LoadData = {
    tokens: users.map((u) => signAccessToken(secret, u.id, u.username)),
    userIds: users.map((u) => u.id),
    emails: users.map((u) => u.email),
    password: "niotebook-demo",
    deepCursor: await timelineCursor(deep.created_at, deep.id),
    social: social?.load,
  };
  const dataFile = join(work, `load-data-${db}.json`);
  writeFileSync(dataFile, JSON.stringify(data));

  // Servers: limits off and x1000 (and NIOTEBOOK_WORKERS=auto on PostgreSQL when supported).
  const conn = (i: number) => ({ dbUrl, secret, dataDir: dataDirs[i] });
  const servers: Server[] = [await startServer(db, "off", "1", conn(0))];
  // --social-only: the main server alone (the other configurations measure the other scenarios).
  if (!opts.socialOnly) servers.push(await startServer(db, "x1000", "1", conn(1)));
  const workers: SectionResult["workers"] = { supported: workersSupported && db === "postgres" && !opts.socialOnly };
  if (db === "embedded") workers.note = "NIOTEBOOK_WORKERS is PostgreSQL only";
  else if (!workersSupported) workers.note = "server has no NIOTEBOOK_WORKERS (not in --help): n/a";
  else if (opts.socialOnly) workers.note = "not run (--social-only)";
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
  if (social) preflight.push(await socialPreflight(main.url, data.tokens, social.load, social.scripts, dbUrl));
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
  // One round: the other configurations first, then the main server's scenarios, each next to
  // its ceiling, so the pair sees the same moment of this shared machine. (The auto block runs
  // first so its pools are idle-closed before the 64-client database ceilings need connections.)
  type Step = { server: Server; scenario: Scenario } | { ceiling: (typeof ceilings)[number] } | { query: "first" | "deep" | "user" | "hash" | SocialScenario };
  const steps: Step[] = [];
  for (const s of servers.filter((x) => x !== main)) {
    const scenarios: readonly Scenario[] = s.workers === "auto" ? ["timeline-first", "timeline-deep", "user-posts", "mixed"] : BASE_SCENARIOS;
    for (const scenario of scenarios) steps.push({ server: s, scenario });
  }
  steps.sort((a, b) => ("server" in a && a.server.workers === "auto" ? 0 : 1) - ("server" in b && b.server.workers === "auto" ? 0 : 1));
  steps.push({ ceiling: ceilings[0]! }, { ceiling: ceilings[1]! }, { server: main, scenario: "timeline-first" }, ...(flags["db-first"] ? [{ query: "first" as const }] : []));
  if (!opts.socialOnly) {
    steps.push({ server: main, scenario: "timeline-deep" }, { query: "deep" }, { server: main, scenario: "user-posts" }, { query: "user" },
      { server: main, scenario: "create-post" }, { server: main, scenario: "login" }, { query: "hash" }, { server: main, scenario: "mixed" });
  }
  // Each social scenario next to the replay of the server's statements for it.
  if (social) for (const scenario of SOCIAL_SCENARIOS) steps.push({ server: main, scenario }, { query: scenario });
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
        // Social scripts run as the server's dialect sends them (named prepared statements where it names them).
        const cfg: DbCeilingConfig = query === "hash"
          ? { ...dbBase, ...LOGIN_WINDOW, query, password: data.password, passwordHash: users[0]!.password_hash }
          : social && query in social.scripts ? { ...dbBase, query, script: social.scripts[query as SocialScenario], prepared: true } : { ...dbBase, query };
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
  for (const scenario of opts.socialOnly ? [] : FIXED_RATE_SCENARIOS(db)) {
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
    seed: { users: opts.seedUsers ?? users.length, posts: postCount, ms: Math.round(seeded.ms), output: `${seeded.stdout.trim()} (triggers off while seeding: ${offWhileSeeding.join(", ")})` },
    social: social?.section,
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
  const finishedAt = new Date();
  const cpuEnd = machineCpu();
  const stolen = cpuEnd.total > meta.cpuStart.total ? (cpuEnd.steal - meta.cpuStart.steal) / (cpuEnd.total - meta.cpuStart.total) : null;
  const runMeta = {
    ...meta, finishedAt: finishedAt.toISOString(), seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000), loadEnd: loadavg().map((x) => x.toFixed(2)).join(" "), stolen,
  };
  const { summaries, targets, markdown: md } = report(runMeta, sections);
  const result: BenchResults = { meta: runMeta, summary: summaries.map((s, i) => ({ db: sections[i]!.db, ...s })), targets, sections };
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

