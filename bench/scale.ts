// `npm run bench:scale` — the scale curve: first-page and deep-page p50 at 10,000, 100,000 and
// 1,000,000 posts, one connection, on PostgreSQL, with EXPLAIN (ANALYZE, BUFFERS) of each query
// saved in docs/bench-scale.md (and every number in bench/results/<date>-scale.json).
// The social part (issue 19): 10,000 users; the home feed's first page p50 for readers who
// follow 200 (the target) and, to see what fan-out on read costs per followed user, 50 and
// 1,000; EXPLAIN of every social query at the largest size (bench/social.ts captures the
// server's own statements; writes are explained inside a rolled-back transaction).
//
//   node bench/scale.ts [--sizes 10000,100000,1000000] [--users 1000] [--seed-users 10000] [--rounds 5] [--duration 3]
//                       [--server-env NAME=VALUE ...] [--no-build] [--pg-url postgres://postgres@127.0.0.1:5432]
//                       [--pg-database niotebook_bench_scale] [--out bench/results] [--docs docs/bench-scale.md]
//                       [--keep-databases] [--reuse-databases]
//
// Seeding 1,000,000 posts takes about 10 minutes: --keep-databases leaves each size's database
// in place at the end, and --reuse-databases measures a kept one again (migrated to the current
// schema, not re-seeded) when it holds a finished seed (the bench_scale_seed row written last).
//
// --server-env passes extra configuration to the server. The first-page cache is off
// (NIOTEBOOK_TIMELINE_CACHE=off) unless --server-env says otherwise: the curve is the query's.
// Checks: p50 at the largest size within 1.5× of p50 at the smallest, and every plan reads at
// most limit+1 = 51 rows of posts (rows returned plus rows removed by filters, times loops,
// summed over every plan node on posts).
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  NODE, ROOT, SERVER_BIN, ISO, TIMELINE_SQL, USER_PAGE_SQL, USER_EXISTS_SQL, fmt, fmtInt,
  median, quiesce, runOrThrow, signAccessToken, sleep, stopChild, usageOf, loadGenerator, serverEnv, sourceRevision, startServer} from "./lib.ts";
import type { LoadData } from "./scenarios.ts";
import { captureOthers, captureReads, FOLLOWED, seedSocial, seedTriggers, timelineCursor, type Exec, type SocialSetup, type Statement } from "./social.ts";
import { pgExec } from "./social-run.ts";
import type { Scenario } from "./scenarios.ts";
import type { LoadConfig, LoadResult } from "./load.ts";

const { values: flags } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000,1000000" },
    users: { type: "string", default: "1000" },
    "seed-users": { type: "string", default: "10000" },
    "no-social": { type: "boolean", default: false },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "3" },
    "server-env": { type: "string", multiple: true, default: [] },
    "no-build": { type: "boolean", default: false },
    "keep-databases": { type: "boolean", default: false },
    "reuse-databases": { type: "boolean", default: false },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
    "pg-database": { type: "string", default: "niotebook_bench_scale" }, // one database per size: <name>_<posts>
    out: { type: "string", default: join(ROOT, "bench", "results") },
    docs: { type: "string", default: join(ROOT, "docs", "bench-scale.md") },
    help: { type: "boolean", short: "h" },
  },
});
if (flags.help) {
  console.log(usageOf(import.meta.url));
  process.exit(0);
}
const sizes = flags.sizes!.split(",").map(Number);
const users = Number(flags.users);
const seedUsers = Math.max(users, Number(flags["seed-users"]));
const withSocial = !flags["no-social"];
/** Readers per group of the home-feed measurement, and how many users each group follows. */
const HOME_GROUP_SIZE = 100;
const HOME_GROUPS = [FOLLOWED, 50, 1000] as const;
const rounds = Number(flags.rounds);
const durationS = Number(flags.duration);
const extraEnv: Record<string, string> = {
  NIOTEBOOK_TIMELINE_CACHE: "off",
  ...Object.fromEntries(flags["server-env"]!.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
};
const adminUrl = `${flags["pg-url"]}/postgres`;
const startedAt = new Date();
const work = mkdtempSync(join(tmpdir(), "niotebook-scale-"));
const children = new Set<ChildProcess>();
const log = (msg: string) => process.stderr.write(`[scale ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);


async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

/** Rows of posts the plan touched: returned + removed by filters, times loops, over every node on posts. */
function postsRowsRead(node: PlanNode): number {
  let own = 0;
  if (node["Relation Name"] === "posts") {
    const loops = node["Actual Loops"] ?? 1;
    own = ((node["Actual Rows"] ?? 0) + (node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Index Recheck"] ?? 0)) * loops;
  }
  return own + (node.Plans ?? []).reduce((sum, child) => sum + postsRowsRead(child), 0);
}

const generate = loadGenerator(children);

interface SizeResult {
  posts: number;
  seedMs: number;
  firstP50: number;
  deepP50: number;
  userP50: number;
  rounds: Array<{ first: LoadResult; deep: LoadResult; user: LoadResult; home?: Record<number, LoadResult> }>;
  plans: Array<{ name: string; sql: string; params: unknown[]; text: string; postsRowsRead: number; executionMs: number; ok: boolean }>;
  /** home feed first page p50 by how many users the reader follows */
  homeP50?: Record<number, number>;
  socialSetupMs?: number;
  /** EXPLAIN (ANALYZE, BUFFERS) of every social statement (largest size only) */
  socialPlans?: SocialPlan[];
}

interface SocialPlan {
  name: string;
  sql: string;
  params: unknown[];
  text: string;
  executionMs: number;
  planningMs: number;
  /** rows the plan's top node returned */
  rows: number;
  /** rows read and then dropped: removed by a filter, join filter or index recheck, times loops, over every node */
  thrownAway: number;
  /** shared buffers hit + read by the whole plan */
  buffers: number;
}

interface Prepared {
  result: SizeResult;
  server: ChildProcess;
  base: Omit<LoadConfig, "scenario">;
  /** per follow count: the load data file of that group's readers */
  homeData: Record<number, string>;
}

/** Rows read and dropped (filters, join filters, rechecks), times loops, over the whole plan. */
function thrownAway(node: PlanNode & { "Rows Removed by Join Filter"?: number }): number {
  const loops = node["Actual Loops"] ?? 1;
  const own = ((node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Index Recheck"] ?? 0) + (node["Rows Removed by Join Filter"] ?? 0)) * loops;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + thrownAway(child), 0);
}

/** EXPLAIN (ANALYZE, BUFFERS) of one captured statement, run once first (warm); writes in a rolled-back transaction. */
async function explainSocial(c: pg.Client, name: string, st: Statement, write = false): Promise<SocialPlan> {
  const once = async <T>(fn: () => Promise<T>) => {
    if (!write) return fn();
    await c.query("BEGIN");
    try {
      return await fn();
    } finally {
      await c.query("ROLLBACK");
    }
  };
  await once(() => c.query(st.text, st.values));
  const text = await once(async () => (await c.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${st.text}`, st.values)).rows.map((r) => r["QUERY PLAN"]).join("\n"));
  type Json = { Plan: PlanNode & { "Shared Hit Blocks"?: number; "Shared Read Blocks"?: number }; "Execution Time": number; "Planning Time": number };
  const json = await once(async () => (await c.query<{ "QUERY PLAN": Json[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${st.text}`, st.values)).rows[0]!["QUERY PLAN"][0]!);
  return {
    name, sql: st.text, params: st.values, text, executionMs: json["Execution Time"], planningMs: json["Planning Time"], rows: json.Plan["Actual Rows"] ?? 0,
    thrownAway: thrownAway(json.Plan), buffers: (json.Plan["Shared Hit Blocks"] ?? 0) + (json.Plan["Shared Read Blocks"] ?? 0),
  };
}

const dbName = (posts: number) => `${flags["pg-database"]}_${posts}`;

/** A kept database's finished seed (--reuse-databases), or undefined when there is none or it is not for this run. */
async function keptSeed(posts: number): Promise<{ seedMs: number; social: SocialSetup | undefined } | undefined> {
  const c = new pg.Client({ connectionString: `${flags["pg-url"]}/${dbName(posts)}` });
  try {
    await c.connect();
  } catch {
    return undefined; // no such database
  }
  try {
    const row = (await c.query<{ seed_ms: number; social: SocialSetup | null; users: number }>(
      "SELECT s.seed_ms, s.social, (SELECT count(*)::int FROM users) AS users FROM bench_scale_seed s")).rows[0];
    if (!row || row.users < seedUsers || (withSocial && !row.social)) return undefined;
    return { seedMs: row.seed_ms, social: withSocial ? row.social ?? undefined : undefined };
  } catch {
    return undefined; // not a finished seed
  } finally {
    await c.end();
  }
}

/** Seeds one database per size, explains its queries and starts a server on it. */
async function prepareSize(posts: number): Promise<Prepared> {
  log(`== ${fmtInt(posts)} posts: seeding`);
  const dbUrl = `${flags["pg-url"]}/${dbName(posts)}`;
  const kept = flags["reuse-databases"] ? await keptSeed(posts) : undefined;
  if (!kept) {
    await admin(`DROP DATABASE IF EXISTS ${dbName(posts)} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${dbName(posts)}`);
  }
  const secret = randomBytes(48).toString("base64");
  const env = serverEnv({ NIOTEBOOK_DB_URL: dbUrl, NIOTEBOOK_JWT_SECRET: secret, NIOTEBOOK_RATE_LIMIT: "off", ...extraEnv });
  // As bench/run.ts: migrated first, the live service's per-row event triggers off while seeding.
  // A kept database is migrated too: a migration added since it was seeded is measured.
  await runOrThrow(NODE, [SERVER_BIN, "migrate"], { env });
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const exec: Exec = pgExec(c);
  let seeded: { ms: number };
  if (kept) {
    seeded = { ms: kept.seedMs };
    log(`reusing the kept database ${dbName(posts)} (seeded in ${(kept.seedMs / 1000).toFixed(1)} s)`);
  } else {
    await seedTriggers(exec, false);
    seeded = await runOrThrow(NODE, [SERVER_BIN, "seed", "--users", String(seedUsers), "--posts", String(posts), ...(withSocial ? ["--follows", "5"] : [])], { env });
    log(`seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
  }
  const userRows = (await c.query<{ id: string; username: string; email: string }>(`SELECT id, username, email FROM users ORDER BY created_at, id LIMIT ${users + HOME_GROUPS.length * HOME_GROUP_SIZE}`)).rows;
  // The home feed's readers: HOME_GROUP_SIZE users per follow count, after the timeline's token users.
  const groups = HOME_GROUPS.map((follows, g) => ({ follows, rows: userRows.slice(users + g * HOME_GROUP_SIZE, users + (g + 1) * HOME_GROUP_SIZE) }));
  userRows.length = Math.min(userRows.length, users);
  const social = kept ? kept.social
    : withSocial ? await seedSocial(exec, groups.map((g) => ({ users: g.rows.map((r) => r.id), follows: g.follows }))) : undefined;
  if (social && !kept) log(`social data in ${(social.ms / 1000).toFixed(1)} s (readers following ${HOME_GROUPS.join(" / ")})`);
  if (!kept) {
    await seedTriggers(exec, true);
    // Written last: a database whose seeding was cut short has no row and is seeded again.
    await c.query("CREATE TABLE bench_scale_seed (seed_ms int NOT NULL, social jsonb)");
    await c.query("INSERT INTO bench_scale_seed VALUES ($1, $2)", [Math.round(seeded.ms), social ? JSON.stringify(social) : null]);
  }
  await c.query("VACUUM (ANALYZE) users, posts, follows, likes, reposts, post_mentions, post_tags");
  const count = (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM posts")).rows[0]!.n;
  const deep = (await c.query<{ created_at: string; id: string }>(`SELECT ${ISO("created_at")} AS created_at, id FROM posts ORDER BY created_at DESC, id DESC OFFSET ${Math.floor(count * 0.9)} LIMIT 1`)).rows[0]!;
  // EXPLAIN each query the pages run, warm (after one execution), as the server would see it.
  const busiest = (await c.query<{ author_id: string }>("SELECT author_id FROM posts GROUP BY author_id ORDER BY count(*) DESC LIMIT 1")).rows[0]!.author_id;
  const queries: Array<{ name: string; sql: string; params: unknown[] }> = [
    { name: "first page (timeline, no cursor)", sql: TIMELINE_SQL(false), params: [] },
    { name: "deep page (timeline, cursor at 90%)", sql: TIMELINE_SQL(true), params: [deep.created_at, deep.id] },
    { name: "user posts (the user with the most posts)", sql: USER_PAGE_SQL, params: [51, busiest] },
    { name: "user lookup (authentication, once per user per process)", sql: USER_EXISTS_SQL, params: [userRows[0]!.id] },
  ];
  const plans: SizeResult["plans"] = [];
  let socialPlans: SocialPlan[] | undefined;
  if (social && posts === Math.max(...sizes)) {
    socialPlans = [];
    const reader = groups[0]!.rows[0]!.id;
    const busiest2 = {
      poster: busiest,
      likedPost: (await c.query<{ post_id: string }>("SELECT post_id FROM likes GROUP BY post_id ORDER BY count(*) DESC LIMIT 1")).rows[0]!.post_id,
      followedUser: (await c.query<{ id: string }>("SELECT id FROM users ORDER BY followers_count DESC, id LIMIT 1")).rows[0]!.id,
    };
    const reads = await captureReads(exec, reader, social.load);
    for (const g of groups.slice(1)) {
      const other = await captureReads(exec, g.rows[0]!.id, social.load);
      reads.push({ ...other[0]!, name: other[0]!.name.replace(`${FOLLOWED} followed`, `${g.follows} followed`) });
    }
    for (const q of [...reads, ...await captureOthers(exec, reader, social.load, busiest2)]) {
      for (const [i, st] of q.statements.entries()) {
        socialPlans.push(await explainSocial(c, q.statements.length > 1 ? `${q.name} — statement ${i + 1} of ${q.statements.length}` : q.name, st, "write" in q && q.write === true));
      }
    }
  }
  for (const q of queries) {
    await c.query(q.sql, q.params);
    const text = (await c.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params)).rows.map((r) => r["QUERY PLAN"]).join("\n");
    const json = (await c.query<{ "QUERY PLAN": Array<{ Plan: PlanNode; "Execution Time": number }> }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.sql}`, q.params)).rows[0]!["QUERY PLAN"][0]!;
    const read = postsRowsRead(json.Plan);
    const touchesPosts = /posts/.test(q.sql.split("FROM")[1] ?? "");
    plans.push({ ...q, text, postsRowsRead: read, executionMs: json["Execution Time"], ok: !touchesPosts || q.name.startsWith("auth") || read <= 51 });
  }
  await c.end();

  const { server, url } = await startServer(env, join(work, `server-${posts}`), children);
  const data: LoadData = {
    tokens: userRows.map((u) => signAccessToken(secret, u.id, u.username)),
    userIds: userRows.map((u) => u.id),
    emails: userRows.map((u) => u.email),
    password: "niotebook-demo",
    deepCursor: await timelineCursor(deep.created_at, deep.id),
  };
  const dataFile = join(work, `data-${posts}.json`);
  writeFileSync(dataFile, JSON.stringify(data));
  // The server must answer what the query answers (so the plans above are the server's).
  const page = (await (await fetch(`${url}/api/v1/timeline?limit=50&cursor=${data.deepCursor}`, { headers: { authorization: `Bearer ${data.tokens[0]}` } })).json()) as { posts: Array<{ id: string }> };
  const c2 = new pg.Client({ connectionString: dbUrl });
  await c2.connect();
  const direct = (await c2.query<{ id: string }>(TIMELINE_SQL(true), [deep.created_at, deep.id])).rows.slice(0, 50).map((r) => r.id);
  await c2.end();
  if (page.posts.map((p) => p.id).join() !== direct.join()) throw new Error("the server's deep page differs from the benchmark's query: the plans would not be the server's");

  const homeData: Record<number, string> = {};
  if (social) {
    for (const g of groups) {
      const file = join(work, `home-${posts}-${g.follows}.json`);
      const tokens = g.rows.map((u) => signAccessToken(secret, u.id, u.username));
      writeFileSync(file, JSON.stringify({ ...data, tokens, userIds: g.rows.map((u) => u.id), emails: g.rows.map((u) => u.email), social: social.load } satisfies LoadData));
      homeData[g.follows] = file;
    }
  }
  const base = { url, connections: 1, durationS, warmupS: 0.5, dataFile, mode: "closed" as const, sources: 1 };
  return {
    server, base, homeData,
    result: { posts: count, seedMs: Math.round(seeded.ms), firstP50: NaN, deepP50: NaN, userP50: NaN, rounds: [], plans, socialPlans, socialSetupMs: social?.ms },
  };
}

async function main(): Promise<void> {
  if (!flags["no-build"]) {
    log("building (npm run build)");
    await runOrThrow("npm", ["run", "build"], { cwd: ROOT });
  }
  const { commit, dirty } = await sourceRevision();
  const prepared: Prepared[] = [];
  for (const n of sizes) prepared.push(await prepareSize(n));
  // Rounds interleave the sizes, so a busy moment on this shared machine hits every size alike;
  // the ratios are medians of per-round ratios.
  log(`warm-up: every page of every size once, not recorded`);
  for (const p of prepared) {
    for (const scenario of ["timeline-first", "timeline-deep", "user-posts"] as const) await generate({ ...p.base, scenario, durationS: 1.5 });
    for (const file of Object.values(p.homeData)) await generate({ ...p.base, scenario: "home-first", dataFile: file, durationS: 1.5 });
  }
  for (let r = 1; r <= rounds; r++) {
    for (const p of prepared) {
      const run1 = async (scenario: Scenario, dataFile = p.base.dataFile) => {
        await quiesce(p.server.pid!);
        const x = await generate({ ...p.base, scenario, seed: r * 1_000, dataFile });
        if (x.errors > 0) throw new Error(`${x.scenario}: ${x.errors} errors ${JSON.stringify(x.byStatus)}`);
        return x;
      };
      const first = await run1("timeline-first"), deepR = await run1("timeline-deep"), user = await run1("user-posts");
      const home: Record<number, LoadResult> = {};
      for (const [follows, file] of Object.entries(p.homeData)) home[Number(follows)] = await run1("home-first", file);
      p.result.rounds.push({ first, deep: deepR, user, home });
      log(`  round ${r}, ${fmtInt(p.result.posts).padStart(9)} posts: first p50 ${fmt(first.p50, 2)} ms, deep p50 ${fmt(deepR.p50, 2)} ms, user p50 ${fmt(user.p50, 2)} ms` +
        Object.entries(home).map(([f, x]) => `, home (${f} followed) ${fmt(x.p50, 2)} ms`).join(""));
    }
  }
  const results = prepared.map((p) => p.result);
  for (const r of results) {
    r.firstP50 = median(r.rounds.map((x) => x.first.p50));
    r.deepP50 = median(r.rounds.map((x) => x.deep.p50));
    r.userP50 = median(r.rounds.map((x) => x.user.p50));
    if (r.rounds[0]?.home) r.homeP50 = Object.fromEntries(Object.keys(r.rounds[0].home).map((f) => [f, median(r.rounds.map((x) => x.home![Number(f)]!.p50))]));
  }
  for (const p of prepared) await stopChild(p.server);
  if (!flags["keep-databases"]) for (const n of sizes) await admin(`DROP DATABASE IF EXISTS ${dbName(n)} WITH (FORCE)`);

  const small = results[0]!, large = results[results.length - 1]!;
  const perRound = (pick: (x: SizeResult["rounds"][number]) => LoadResult) =>
    median(large.rounds.map((x, i) => pick(x).p50 / pick(small.rounds[i]!).p50));
  const firstRatio = perRound((x) => x.first), deepRatio = perRound((x) => x.deep);
  const homeRatio = withSocial ? perRound((x) => x.home![FOLLOWED]!) : NaN;
  const plansOk = results.every((r) => r.plans.every((p) => p.ok));
  const lines: string[] = [];
  lines.push(`# Scale curve — ${startedAt.toISOString()}`, "");
  lines.push(`Generated by \`npm run bench:scale\` (bench/scale.ts). Commit ${commit.slice(0, 12)}${dirty ? " + uncommitted changes in src/" : ""}, Node ${process.version}, ${cpus().length} cores, PostgreSQL on this machine, load average at start ${loadavg().map((x) => x.toFixed(2)).join(" ")}.`);
  lines.push(`One connection, ${rounds} rounds × ${durationS} s per page, each size in its own database with its own server, sizes interleaved within every round (after an unrecorded warm-up); p50 is the median over rounds, ratios the median of per-round ratios; tokens of ${users} users rotate; limit 50 (the server fetches 51).` +
    ` Server configuration: ${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(" ")}.`, "");
  lines.push("| posts | first page p50 ms | deep page p50 ms | user page p50 ms | rows of posts read (first / deep / user) | seed s |", "|---:|---:|---:|---:|---|---:|");
  for (const r of results) {
    lines.push(`| ${fmtInt(r.posts)} | ${fmt(r.firstP50, 2)} | ${fmt(r.deepP50, 2)} | ${fmt(r.userP50, 2)} | ${r.plans.slice(0, 3).map((p) => fmtInt(p.postsRowsRead)).join(" / ")} | ${fmt(r.seedMs / 1000, 0)} |`);
  }
  lines.push("", "| target | measured | goal | result |", "|---|---|---|---|");
  lines.push(`| first page p50 at ${fmtInt(large.posts)} vs ${fmtInt(small.posts)} | ${fmt(firstRatio, 2)}× | ≤ 1.5× | ${firstRatio <= 1.5 ? "pass" : "**FAIL**"} |`);
  lines.push(`| deep page p50 at ${fmtInt(large.posts)} vs ${fmtInt(small.posts)} | ${fmt(deepRatio, 2)}× | ≤ 1.5× | ${deepRatio <= 1.5 ? "pass" : "**FAIL**"} |`);
  if (withSocial) lines.push(`| home feed first page p50 (${FOLLOWED} followed) at ${fmtInt(large.posts)} vs ${fmtInt(small.posts)} | ${fmt(homeRatio, 2)}× | ≤ 1.5× | ${homeRatio <= 1.5 ? "pass" : "**FAIL**"} |`);
  lines.push(`| every plan reads ≤ 51 rows of posts | ${results.flatMap((r) => r.plans.filter((p) => !p.ok).map((p) => `${fmtInt(r.posts)}: ${p.name} reads ${fmtInt(p.postsRowsRead)}`)).join("; ") || "all do"} | ≤ limit+1 | ${plansOk ? "pass" : "**FAIL**"} |`);
  lines.push("", "Rows read = actual rows + rows removed by filter or recheck, × loops, summed over the plan nodes on `posts`.", "");
  if (withSocial) {
    lines.push("## The home feed by how many users the reader follows", "");
    lines.push(`${HOME_GROUP_SIZE} readers per column (tokens rotating), one connection, \`GET /api/v1/timeline/home?limit=50\`, p50 ms (median over rounds); the ${FOLLOWED}-followed readers are the target's. Followed users drawn in proportion to their posts (bench/social.ts). ${fmtInt(seedUsers)} users.`, "");
    lines.push(`| posts | ${HOME_GROUPS.map((f) => `${f} followed`).join(" | ")} | social seed s |`, `|---:|${HOME_GROUPS.map(() => "---:").join("|")}|---:|`);
    for (const r of results) lines.push(`| ${fmtInt(r.posts)} | ${HOME_GROUPS.map((f) => fmt(r.homeP50?.[f], 2)).join(" | ")} | ${fmt((r.socialSetupMs ?? NaN) / 1000, 0)} |`);
    const sp = results.find((r) => r.socialPlans)?.socialPlans ?? [];
    if (sp.length) {
      lines.push("", `## Social queries at ${fmtInt(large.posts)} posts: EXPLAIN (ANALYZE, BUFFERS)`, "");
      lines.push("Each statement as the server's own function compiled it (captured by bench/social.ts), run once, then explained; writes inside a rolled-back transaction. " +
        "\"Thrown away\" = rows removed by a filter, join filter or index recheck, × loops, over every plan node.", "");
      lines.push("| statement | execution ms | planning ms | rows returned | rows thrown away | buffers |", "|---|---:|---:|---:|---:|---:|");
      for (const p of sp) lines.push(`| ${p.name} | ${fmt(p.executionMs, 3)} | ${fmt(p.planningMs, 3)} | ${fmtInt(p.rows)} | ${fmtInt(p.thrownAway)} | ${fmtInt(p.buffers)} |`);
      lines.push("");
      for (const p of sp) {
        lines.push(`### ${p.name} — ${fmt(p.executionMs, 3)} ms, ${fmtInt(p.thrownAway)} rows thrown away`, "");
        lines.push("```sql", p.sql.trim() + (p.params.length ? `\n-- parameters: ${p.params.map((x) => JSON.stringify(x)).join(", ")}` : ""), "```", "");
        lines.push("```", p.text, "```", "");
      }
    }
  }
  for (const r of results) {
    lines.push(`## ${fmtInt(r.posts)} posts`, "");
    for (const p of r.plans) {
      lines.push(`### ${p.name} — ${fmt(p.executionMs, 3)} ms, ${fmtInt(p.postsRowsRead)} rows of posts read`, "");
      lines.push("```sql", p.sql + (p.params.length ? `\n-- parameters: ${p.params.map((x) => JSON.stringify(x)).join(", ")}` : ""), "```", "");
      lines.push("```", p.text, "```", "");
    }
  }
  const md = lines.join("\n");
  mkdirSync(dirname(flags.docs!), { recursive: true });
  writeFileSync(flags.docs!, md);
  mkdirSync(flags.out!, { recursive: true });
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
  const jsonPath = join(flags.out!, `${stamp}-scale.json`);
  writeFileSync(jsonPath, JSON.stringify({ meta: { startedAt, commit, dirty, node: process.version, sizes, users, rounds, durationS, extraEnv }, firstRatio, deepRatio, homeRatio, plansOk, results }, null, 2) + "\n");
  process.stdout.write(md.split("\n## ")[0] + "\n");
  log(`wrote ${flags.docs} and ${jsonPath}`);
}

try {
  await main();
} finally {
  await Promise.all([...children].map((c) => stopChild(c, 5_000)));
  rmSync(work, { recursive: true, force: true });
  await sleep(0);
}
