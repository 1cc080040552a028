// Today's release and this tree side by side, in one run on one machine (issue 19):
//   npm run bench:release [-- --release 612eb11 --posts 100000 --users 1000 --rounds 3
//                            --duration 10 --warmup 3 --connections 64 --no-fixed-rate --no-uncached --smoke]
//
// The release is `git archive`d into ~/.cache/niotebook-release/<commit>, installed with
// `npm ci --ignore-scripts` and built there once; later runs reuse it. One PostgreSQL database is
// seeded by the release's own `seed` (its schema), VACUUM ANALYZEd, and copied byte for byte
// (CREATE DATABASE … TEMPLATE): the release serves the original, this tree serves the copy and
// migrates it forward when it starts. Two databases, not one, because the release cannot serve
// a schema migrated past it; the copy makes the rows (and so every page) identical. Both servers run with NIOTEBOOK_WORKERS=auto and rate limits off;
// both are up for the whole run but only one is under load at a time.
//
// Each round measures the first page, a deep page (a timestamp cursor 90% of the way down the
// timeline, 50 posts) and a user's posts (bench/scenarios.ts: users in rotation) on both servers
// (and on the new one with NIOTEBOOK_TIMELINE_CACHE=off, unless --no-uncached) with autocannon (bench/load.ts, closed loop, 64
// connections, each request the next of 1,000 users' tokens); rounds alternate which server goes
// first. Reported: the medians over rounds and new/old. Then (unless --no-fixed-rate) both pages are
// driven at 70% of the new server's median maximum, and the essential-work ceiling
// (bench/ceiling-http.ts, answering the same page's bytes) at the same absolute rate: p99s and
// their ratio. Results: bench/results/side-by-side-<time>.json and a Markdown section on stdout.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, homedir, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import type { LoadConfig, LoadResult } from "./load.ts";
import type { LoadData, Scenario } from "./scenarios.ts";
import {
  NODE, ROOT, closeFd, cpuTicks, fmt, fmtInt, freePort, logFd, median, processTree, quiesce, runOrThrow, signAccessToken, sleep,
  stopChild, usageOf, waitForHealth, serverEnv} from "./lib.ts";

const { values: flags } = parseArgs({
  options: {
    release: { type: "string" }, posts: { type: "string" }, users: { type: "string" }, rounds: { type: "string" },
    duration: { type: "string" }, warmup: { type: "string" }, connections: { type: "string" }, "pg-url": { type: "string" },
    "no-fixed-rate": { type: "boolean" }, "no-uncached": { type: "boolean" }, smoke: { type: "boolean" }, help: { type: "boolean" },
  },
});
if (flags.help) {
  console.log(usageOf(import.meta.url));
  process.exit(0);
}
const smoke = flags.smoke ?? false;
const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const opts = {
  release: flags.release ?? "612eb11",
  posts: num(flags.posts, smoke ? 2_000 : 100_000),
  users: num(flags.users, smoke ? 100 : 1_000),
  rounds: num(flags.rounds, smoke ? 1 : 3),
  durationS: num(flags.duration, smoke ? 2 : 10),
  warmupS: num(flags.warmup, smoke ? 1 : 3),
  connections: num(flags.connections, 64),
  pgUrl: flags["pg-url"] ?? "postgres://postgres@127.0.0.1:5432",
  fixedRate: !(flags["no-fixed-rate"] ?? false),
  uncached: !(flags["no-uncached"] ?? false),
};
const TARGET_FRACTION = 0.7;
const log = (line: string) => process.stderr.write(`[side-by-side ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const work = mkdtempSync(join(tmpdir(), "niotebook-sbs-"));
const children = new Set<ChildProcess>();
const databases: string[] = [];

async function cleanup(): Promise<void> {
  for (const child of [...children]) await stopChild(child, 5_000).catch(() => {});
  if (databases.length) {
    const admin = new pg.Client({ connectionString: `${opts.pgUrl}/postgres` });
    await admin.connect();
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  rmSync(work, { recursive: true, force: true });
}
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));

// ── the release, built once ─────────────────────────────────────────────────────────────

async function releaseTree(commit: string): Promise<{ dir: string; sha: string }> {
  const sha = (await runOrThrow("git", ["rev-parse", "--verify", `${commit}^{commit}`], { cwd: ROOT })).stdout.trim();
  const dir = join(homedir(), ".cache", "niotebook-release", sha);
  if (existsSync(join(dir, ".ready"))) return { dir, sha };
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  log(`preparing release ${sha.slice(0, 7)} in ${dir} (git archive, npm ci --ignore-scripts, tsc)`);
  await runOrThrow("sh", ["-c", `git archive ${sha} | tar -x -C '${building}'`], { cwd: ROOT });
  await runOrThrow("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: building });
  await runOrThrow(NODE, [join(building, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: building });
  writeFileSync(join(building, ".ready"), `${sha}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return { dir, sha };
}

// ── servers ─────────────────────────────────────────────────────────────────────────────

interface Server {
  name: Name;
  child: ChildProcess;
  url: string;
  logPath: string;
  processes: number;
}


function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

type Name = "old" | "new" | "new-uncached";

async function startServer(name: Name, bin: string, dbUrl: string, secret: string, extra: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const logPath = join(work, `${name}.log`);
  const out = logFd(logPath), err = logFd(join(work, `${name}.err`));
  const child = track(spawn(NODE, [bin], {
    env: serverEnv({ NIOTEBOOK_PORT: String(port), NIOTEBOOK_DB_URL: dbUrl, NIOTEBOOK_JWT_SECRET: secret, NIOTEBOOK_RATE_LIMIT: "off", NIOTEBOOK_WORKERS: "auto", ...extra }),
    stdio: ["ignore", out, err],
  }));
  closeFd(out);
  closeFd(err);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, 120_000, child);
  } catch (error) {
    throw new Error(`${name} server: ${(error as Error).message}\n${readFileSync(join(work, `${name}.err`), "utf8").slice(-2000)}`, { cause: error });
  }
  await sleep(1_000);
  return { name, child, url, logPath, processes: processTree(child.pid!).length };
}

async function startCeiling(bodyFile: string, headers: Record<string, string>, secret: string): Promise<{ child: ChildProcess; url: string }> {
  const cfgPath = join(work, `ceiling-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(cfgPath, JSON.stringify({ mode: "essential", bodyFile, headers, secret }));
  const out = logFd(join(work, "ceiling.log"));
  const child = track(spawn(NODE, [join(ROOT, "bench", "ceiling-http.ts"), cfgPath], { stdio: ["ignore", out, "pipe"], env: serverEnv({}) }));
  closeFd(out);
  const port = await new Promise<number>((resolve, reject) => {
    let buf = "";
    child.stderr!.on("data", (d: Buffer) => {
      const m = /READY (\d+)/.exec((buf += d.toString()));
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`ceiling exited ${code}: ${buf}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

// The load generator: one long-lived process (bench/load.ts), one measurement per message.
let generator: ChildProcess | undefined;
async function measure(config: LoadConfig): Promise<LoadResult> {
  if (!generator || generator.exitCode !== null) {
    const child = track(fork(join(ROOT, "bench", "load.ts"), [], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`load.ts exited ${code}`)));
    });
    generator = child;
  }
  const child = generator;
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`load.ts exited ${code} during a measurement`));
    child.once("exit", onExit);
    child.once("message", (message: { result?: LoadResult; error?: string }) => {
      child.off("exit", onExit);
      if (message.result) resolve(message.result);
      else reject(new Error(`load.ts: ${message.error}`));
    });
    child.send({ config });
  });
}

// ── the run ─────────────────────────────────────────────────────────────────────────────

const SCENARIOS = { first: "timeline-first", deep: "timeline-deep", user: "user-posts" } as const satisfies Record<string, Scenario>;
const PAGES = ["first", "deep", "user"] as const;
type Page = keyof typeof SCENARIOS;

/** cpu: microseconds of CPU per answered request, the server's processes and the database's backends. */
interface Row { round: number; server: Name; page: Page; mode: "closed" | "paced"; result: LoadResult; cpu: { serverUs: number; dbUs: number } }

/** Microseconds per clock tick in /proc/<pid>/stat (USER_HZ is 100 on Linux). */
const TICK_US = 10_000;

/** CPU ticks of the PostgreSQL backends serving one database (this machine's /proc). */
async function dbTicks(admin: pg.Client, database: string): Promise<Map<number, number>> {
  const pids = (await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [database])).rows.map((r) => r.pid);
  return new Map(pids.map((pid) => [pid, cpuTicks([pid])]));
}
function ticksSince(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const startedAt = new Date().toISOString();
  log(`${opts.posts} posts, ${opts.users} users, ${opts.rounds} round(s) of ${opts.durationS} s (+${opts.warmupS} s warm-up), ${opts.connections} connections; load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")}`);
  const release = await releaseTree(opts.release);
  const newBin = join(ROOT, "bin", "niotebook-server.js");
  if (!existsSync(join(ROOT, "dist", "server", "main.js"))) throw new Error("build this tree first: npm run build");
  const head = (await runOrThrow("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT })).stdout.trim();

  // One seeded database (the release's schema and seed), copied for the new server.
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const oldDb = `nb_sbs_old_${tag}`, newDb = `nb_sbs_new_${tag}`;
  const admin = new pg.Client({ connectionString: `${opts.pgUrl}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${oldDb}`);
  databases.push(oldDb);
  const secret = randomBytes(48).toString("base64");
  const oldUrl = `${opts.pgUrl}/${oldDb}`, newUrl = `${opts.pgUrl}/${newDb}`;
  const seeded = await runOrThrow(NODE, [join(release.dir, "bin", "niotebook-server.js"), "seed", "--users", String(opts.users), "--posts", String(opts.posts)],
    { env: serverEnv({ NIOTEBOOK_DB_URL: oldUrl, NIOTEBOOK_JWT_SECRET: secret }) });
  log(`seeded by the release in ${(seeded.ms / 1000).toFixed(1)} s: ${seeded.stdout.trim()}`);
  const c = new pg.Client({ connectionString: oldUrl });
  await c.connect();
  await c.query("VACUUM (ANALYZE)");
  const users = (await c.query<{ id: string; username: string }>(`SELECT id, username FROM users ORDER BY created_at, id LIMIT ${opts.users}`)).rows;
  const postCount = (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM posts")).rows[0]!.n;
  const offset = Math.floor(postCount * 0.9);
  const deepAt = (await c.query<{ at: string }>(`SELECT to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
    FROM posts ORDER BY created_at DESC, id DESC OFFSET ${offset} LIMIT 1`)).rows[0]!.at;
  await c.end();
  await admin.query(`CREATE DATABASE ${newDb} TEMPLATE ${oldDb}`);
  databases.push(newDb);

  const old = await startServer("old", join(release.dir, "bin", "niotebook-server.js"), oldUrl, secret);
  const fresh = await startServer("new", newBin, newUrl, secret); // migrates its copy forward first
  const n = new pg.Client({ connectionString: newUrl });
  await n.connect();
  await n.query("VACUUM (ANALYZE)");
  await n.end();
  // The new server again with its page caches off (NIOTEBOOK_TIMELINE_CACHE=off), on the same
  // database: what a page costs when no other reader asked for it within the second.
  const uncached = opts.uncached ? await startServer("new-uncached", newBin, newUrl, secret, { NIOTEBOOK_TIMELINE_CACHE: "off" }) : undefined;
  const servers = uncached ? [old, fresh, uncached] : [old, fresh];
  log(`old ${release.sha.slice(0, 7)}: ${old.processes} processes; new ${head}: ${fresh.processes} processes${uncached ? " (and again with NIOTEBOOK_TIMELINE_CACHE=off)" : ""}`);

  const data: LoadData = {
    tokens: users.map((u) => signAccessToken(secret, u.id, u.username)),
    userIds: users.map((u) => u.id), emails: [], password: "",
    deepCursor: deepAt,
  };
  const dataFile = join(work, "load-data.json");
  writeFileSync(dataFile, JSON.stringify(data));
  const paths: Record<Page, string> = {
    first: "/api/v1/timeline?limit=50", deep: `/api/v1/timeline?limit=50&cursor=${deepAt}`, user: `/api/v1/users/${data.userIds[13]}/posts?limit=50`,
  };

  // Pre-flight: every token works on both, and both answer the same 50 posts on each page.
  const captured = new Map<Page, { body: Buffer; headers: Record<string, string> }>();
  for (const s of servers) {
    for (let i = 0; i < data.tokens.length; i += 50) {
      const statuses = await Promise.all(data.tokens.slice(i, i + 50).map((t) =>
        fetch(`${s.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status)));
      if (statuses.some((st) => st !== 200)) throw new Error(`pre-flight: ${s.name} refused a token (${statuses.find((st) => st !== 200)})`);
    }
  }
  const ids = new Map<string, string[]>();
  for (const page of PAGES) {
    for (const s of servers) {
      const res = await fetch(s.url + paths[page], { headers: { authorization: `Bearer ${data.tokens[0]}` } });
      const body = Buffer.from(await res.arrayBuffer());
      const json = JSON.parse(body.toString()) as { posts: Array<{ id: string; created_at: string }> };
      if (res.status !== 200 || (page !== "user" && json.posts.length !== 50)) throw new Error(`pre-flight: ${s.name} ${page} page ${res.status} (${json.posts?.length} posts)`);
      if (page === "deep" && !(json.posts[0]!.created_at < deepAt)) throw new Error(`pre-flight: ${s.name} deep page starts at ${json.posts[0]!.created_at}, not before ${deepAt}`);
      ids.set(`${s.name}:${page}`, json.posts.map((p) => p.id));
      if (s.name === "new") {
        const headers: Record<string, string> = {};
        for (const h of ["content-type", "x-content-type-options", "cache-control"]) {
          const v = res.headers.get(h);
          if (v) headers[h] = v;
        }
        captured.set(page, { body, headers });
      }
    }
    for (const s of servers.slice(1)) if (ids.get(`old:${page}`)!.join() !== ids.get(`${s.name}:${page}`)!.join()) throw new Error(`pre-flight: ${s.name}'s ${page} page differs from old's`);
  }
  log(`pre-flight: ${data.tokens.length} tokens accepted by both; both answer the same 50 posts on the first page and on the deep page (before ${deepAt}, offset ${fmtInt(offset)} of ${fmtInt(postCount)})`);

  const rows: Row[] = [];
  const base = { connections: opts.connections, durationS: opts.durationS, warmupS: opts.warmupS, dataFile, sources: 0 };
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const page of PAGES) {
      for (const s of order) {
        await quiesce(s.child.pid!);
        const database = s.name === "old" ? oldDb : newDb;
        const tree = processTree(s.child.pid!);
        const [serverBefore, dbBefore] = [cpuTicks(tree), await dbTicks(admin, database)];
        const result = await measure({ ...base, url: s.url, scenario: SCENARIOS[page], mode: "closed", seed: round * 100_003 });
        const [serverAfter, dbAfter] = [cpuTicks(tree), await dbTicks(admin, database)];
        const cpu = {
          serverUs: Math.round(((serverAfter - serverBefore) * TICK_US) / Math.max(1, result.total)),
          dbUs: Math.round((ticksSince(dbBefore, dbAfter) * TICK_US) / Math.max(1, result.total)),
        };
        rows.push({ round, server: s.name, page, mode: "closed", result, cpu });
        log(`round ${round + 1} ${s.name} ${page}: ${fmtInt(result.rps)} req/s, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms, errors ${result.errors}; CPU per request: server ${cpu.serverUs} µs, PostgreSQL ${cpu.dbUs} µs`);
      }
    }
  }
  const closed = (server: Name, page: Page) => rows.filter((r) => r.mode === "closed" && r.server === server && r.page === page);
  const med = (server: Name, page: Page) => median(closed(server, page).map((r) => r.result.rps));

  const fixed: Array<{ page: Page; rate: number; server: LoadResult; ceiling: LoadResult }> = [];
  if (opts.fixedRate) {
    for (const page of ["deep", "first"] as const) {
      const rate = Math.round(med("new", page) * TARGET_FRACTION);
      const { body, headers } = captured.get(page)!;
      const bodyFile = join(work, `${page}.json`);
      writeFileSync(bodyFile, body);
      const ceiling = await startCeiling(bodyFile, headers, secret);
      await quiesce(fresh.child.pid!);
      const server = await measure({ ...base, url: fresh.url, scenario: SCENARIOS[page], mode: "paced", rate, windows: 5 });
      const atCeiling = await measure({ ...base, url: ceiling.url, scenario: SCENARIOS[page], mode: "paced", rate, windows: 5 });
      await stopChild(ceiling.child, 5_000);
      fixed.push({ page, rate, server, ceiling: atCeiling });
      log(`fixed ${page} at ${fmtInt(rate)} req/s: new p99 ${fmt(server.p99, 2)} ms, essential ceiling p99 ${fmt(atCeiling.p99, 2)} ms (${fmt(server.p99 / atCeiling.p99, 2)}×)`);
    }
  }
  const loadAfter = loadavg();
  await admin.end();

  const results = {
    startedAt, finishedAt: new Date().toISOString(), loadBefore, loadAfter, cores: cpus().length, options: opts,
    release: release.sha, head, processes: Object.fromEntries(servers.map((s) => [s.name, s.processes])), posts: postCount, deepCursor: deepAt, deepOffset: offset,
    rows: rows.map((r) => ({ round: r.round, server: r.server, page: r.page, rps: r.result.rps, p50: r.result.p50, p99: r.result.p99, errors: r.result.errors, bytes: r.result.bytesPerResponse, cpu: r.cpu })),
    fixed: fixed.map((f) => ({ page: f.page, rate: f.rate, server: { p50: f.server.p50, p99: f.server.p99, errors: f.server.errors, lateStarts: f.server.lateStarts }, ceiling: { p50: f.ceiling.p50, p99: f.ceiling.p99, errors: f.ceiling.errors } })),
  };
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  const file = join(ROOT, "bench", "results", `side-by-side-${startedAt.replace(/[:.]/g, "-")}${smoke ? "-smoke" : ""}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2) + "\n");

  const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  const md: string[] = [];
  md.push(`Release ${release.sha.slice(0, 7)} ("old") and ${head} ("new") side by side: ${fmtInt(postCount)} posts, ${users.length} users' tokens in rotation, ` +
    `PostgreSQL ${opts.pgUrl.replace(/^.*@/, "")}, NIOTEBOOK_WORKERS=auto (${old.processes} and ${fresh.processes} processes), rate limits off, ` +
    `${opts.connections} connections (autocannon, bench/load.ts), ${opts.rounds} rounds of ${opts.durationS} s after ${opts.warmupS} s of warm-up, alternating which server goes first. ` +
    `Deep page: \`?limit=50&cursor=${deepAt}\` (post ${fmtInt(offset)} of ${fmtInt(postCount)}). Load average before ${la(loadBefore)}, after ${la(loadAfter)} (${cpus().length} cores, shared with other work).`);
  md.push("");
  md.push(`| page | old req/s (median) | new req/s (median) | new/old | per round (old → new) |${uncached ? " new, caches off | caches off/old |" : ""}`);
  md.push(`|---|---:|---:|---:|---|${uncached ? "---:|---:|" : ""}`);
  for (const page of PAGES) {
    const perRound = closed("old", page).map((o, i) => `${fmtInt(o.result.rps)} → ${fmtInt(closed("new", page)[i]?.result.rps)}`).join("; ");
    const off = uncached ? ` ${fmtInt(med("new-uncached", page))} | ${fmt(med("new-uncached", page) / med("old", page), 2)}× |` : "";
    md.push(`| ${page} | ${fmtInt(med("old", page))} | ${fmtInt(med("new", page))} | **${fmt(med("new", page) / med("old", page), 2)}×** | ${perRound} |${off}`);
  }
  md.push("");
  md.push(`CPU per answered request (medians over rounds, µs: server processes / PostgreSQL backends, from /proc):`);
  md.push("");
  md.push(`| page | ${servers.map((s) => s.name).join(" | ")} |`);
  md.push(`|---|${servers.map(() => "---:").join("|")}|`);
  for (const page of PAGES) {
    md.push(`| ${page} | ${servers.map((s) => `${fmtInt(median(closed(s.name, page).map((r) => r.cpu.serverUs)))} / ${fmtInt(median(closed(s.name, page).map((r) => r.cpu.dbUs)))}`).join(" | ")} |`);
  }
  if (fixed.length) {
    md.push("");
    md.push(`At a fixed rate of ${Math.round(TARGET_FRACTION * 100)}% of the new server's median maximum (paced, latency from when each request was due), next to the essential-work ceiling (bench/ceiling-http.ts answering the same page's bytes) at the same absolute rate:`);
    md.push("");
    md.push("| page | rate | new p50 / p99 (ms) | ceiling p50 / p99 (ms) | p99 new/ceiling |");
    md.push("|---|---:|---:|---:|---:|");
    for (const f of fixed) {
      md.push(`| ${f.page} | ${fmtInt(f.rate)} | ${fmt(f.server.p50, 2)} / ${fmt(f.server.p99, 2)} | ${fmt(f.ceiling.p50, 2)} / ${fmt(f.ceiling.p99, 2)} | ${fmt(f.server.p99 / f.ceiling.p99, 2)}× |`);
    }
  }
  md.push("");
  md.push(`Raw: \`${file.slice(ROOT.length)}\`.`);
  console.log(md.join("\n"));
  log(`deep page new/old ${fmt(med("new", "deep") / med("old", "deep"), 2)}×, first page new/old ${fmt(med("new", "first") / med("old", "first"), 2)}×`);
}

try {
  await main();
} finally {
  await cleanup();
}
process.exit(0);
