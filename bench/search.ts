// `npm run bench:search` — post and user search at 100,000 and 1,000,000 posts, one connection,
// on PostgreSQL and on the embedded database, through the server's own query functions
// (dist/server/search: searchPosts with the route's block/mute filter, then renderPosts — the
// two statements GET /search/posts runs; searchUsers as GET /search/users runs it). p50 and p99
// per query, and EXPLAIN (ANALYZE, BUFFERS) of each search statement, go into docs/search.md
// between the "bench:search" markers (every number also in bench/results/<date>-search.json).
//
//   node bench/search.ts [--sizes 100000,1000000] [--embedded-sizes 100000] [--users 100000]
//                        [--runs 200] [--no-build] [--pg-url postgres://postgres@127.0.0.1:5432]
//                        [--docs docs/search.md] [--out bench/results] [--no-docs]
//                        [--keep-db <prefix>] [--only posts|users]
//
// --keep-db keeps each PostgreSQL size's seeded database as <prefix>_<posts>_<users> and reuses
// it on the next run with the same prefix (migrated to the latest schema first, so a new
// index is built on it): seeding 1,000,000 posts takes minutes. A database seeded by another
// version of seed() is dropped and seeded again. Without it, each run seeds and drops its own.
//
// Seeding is SQL (generate_series): words drawn from a 30,000-word vocabulary with Zipf's law
// (rank r drawn with probability ∝ 1/r), a post being two fragments of 2–9 such words, one post in five ending in a #tag;
// authors Zipf-distributed over the users. post_search is filled in SQL with the document the
// server would write (index-post.ts documentText), and a sample is checked against the server's
// own function. Targets (PostgreSQL): every post query p50 < 20 ms at 1,000,000 posts; no plan
// reads posts with a sequential scan; users search p50 < 5 ms at 100,000 users.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CompiledQuery, sql, type Kysely, type RawBuilder } from "kysely";
import pg from "pg";
import { ROOT, fmt, fmtInt, percentile, runOrThrow, usageOf, sourceRevision } from "./lib.ts";

const { values: flags } = parseArgs({
  options: {
    sizes: { type: "string", default: "100000,1000000" },
    "embedded-sizes": { type: "string", default: "100000" },
    users: { type: "string", default: "100000" },
    runs: { type: "string", default: "200" },
    "no-build": { type: "boolean", default: false },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
    docs: { type: "string", default: join(ROOT, "docs", "search.md") },
    "no-docs": { type: "boolean", default: false },
    // The docs section's marker name, so the embedded and PostgreSQL runs may write apart.
    marker: { type: "string", default: "bench:search" },
    "keep-db": { type: "string" },
    // Only the posts queries, or only the users queries (each size still seeds its posts).
    only: { type: "string" },
    out: { type: "string", default: join(ROOT, "bench", "results") },
    help: { type: "boolean", short: "h" },
  },
});
if (flags.help) {
  console.log(usageOf(import.meta.url));
  process.exit(0);
}
const pgSizes = flags.sizes!.split(",").filter(Boolean).map(Number);
const embeddedSizes = flags["embedded-sizes"]!.split(",").filter(Boolean).map(Number);
const userCount = Number(flags.users);
const runs = Number(flags.runs);
if (flags.only !== undefined && flags.only !== "posts" && flags.only !== "users") throw new Error(`--only ${flags.only}: posts or users`);
const startedAt = new Date();
const log = (msg: string) => process.stderr.write(`[search ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

const VOCABULARY = 30_000;
const TAGS = ["rust", "vim", "tmux", "postgres", "typescript", "go", "linux", "devops", "terminal", "testing",
  "zig", "emacs", "nix", "kubernetes", "sqlite", "bash", "lua", "haskell", "ocaml", "elixir"];
const FIRST = ["ada", "linus", "grace", "ken", "dennis", "margaret", "alan", "barbara", "guido", "bjarne",
  "radia", "donald", "frances", "edsger", "john", "hedy", "tim", "katherine", "vint", "anita", "josé", "zoë", "ágnes", "björn"];
const LAST = ["lovelace", "torvalds", "hopper", "thompson", "ritchie", "hamilton", "turing", "liskov", "van rossum",
  "stroustrup", "perlman", "knuth", "allen", "dijkstra", "mccarthy", "lamarr", "berners-lee", "johnson", "cerf", "borg",
  "núñez", "müller", "øster", "żak"];

type Dist = typeof import("../src/server/search/posts.js") & typeof import("../src/server/search/users.js")
  & typeof import("../src/server/search/render.js") & typeof import("../src/server/search/index-post.js")
  & typeof import("../src/server/social/common.js") & typeof import("../src/api/search-query.js")
  & typeof import("../src/server/db/migrations.js") & typeof import("../src/server/db/database.js");
let dist: Dist;
async function loadDist(): Promise<void> {
  const parts = await Promise.all(["server/search/posts.js", "server/search/users.js", "server/search/render.js",
    "server/search/index-post.js", "server/social/common.js", "api/search-query.js", "server/db/migrations.js",
    "server/db/database.js"].map((p) => import(new URL(`../dist/${p}`, import.meta.url).href)));
  dist = Object.assign({}, ...parts) as Dist;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- because the schema type lives in src and the bench loads dist at run time
type Db = Kysely<any>;

/** A vocabulary word from its rank: consonant-vowel syllables, so words look like words and never collide. */
const WORD_SQL = (rank: string) => `(
  substr('bcdfghjklmnprstvwz', 1 + (${rank}) % 18, 1) || substr('aeiou', 1 + ((${rank}) / 18) % 5, 1)
  || CASE WHEN (${rank}) >= 90 THEN substr('bcdfghjklmnprstvwz', 1 + ((${rank}) / 90) % 18, 1) || substr('aeiou', 1 + ((${rank}) / 1620) % 5, 1) ELSE '' END
  || CASE WHEN (${rank}) >= 8100 THEN substr('bcdfghjklmnprstvwz', 1 + ((${rank}) / 8100) % 18, 1) || 'o' ELSE '' END
  || CASE WHEN (${rank}) >= 8100 THEN 'n' ELSE '' END)`;
// Zipf with exponent 1 over 0..n-1: log-uniform on [1, n+1).
const ZIPF_SQL = (n: number) => `(floor(exp(random() * ln(${n + 1})))::int - 1)`;

const RARE_WORD_SQL = `SELECT w FROM (
    SELECT DISTINCT k, 'a' AS t, regexp_split_to_table(text, ' ') AS w FROM bench_frag_a
    UNION ALL SELECT DISTINCT k, 'b', regexp_split_to_table(text, ' ') FROM bench_frag_b) x
  GROUP BY w HAVING count(*) = 1 ORDER BY length(w) DESC, w LIMIT 1`;

async function seed(db: Db, posts: number): Promise<{ ms: number; vocabulary: string[]; rare: string }> {
  const started = performance.now();
  await dist.migrateToLatest(db);
  const q = (text: string) => db.executeQuery(CompiledQuery.raw(text));
  await q(`CREATE TABLE bench_vocab AS SELECT r, ${WORD_SQL("r")} AS w FROM generate_series(0, ${VOCABULARY - 1}) AS r`);
  const vocabulary = (await db.executeQuery<{ w: string }>(CompiledQuery.raw("SELECT w FROM bench_vocab ORDER BY r"))).rows.map((r) => r.w);
  if (new Set(vocabulary).size !== VOCABULARY) throw new Error("vocabulary words collide");
  // Users: usernames name+number, display names first and last names (some accented).
  await q(`INSERT INTO users (username, email, password_hash, display_name, created_at)
    SELECT n || i, n || i || '@example.com', 'x', initcap(f) || ' ' || initcap(l), now() - interval '90 days'
    FROM generate_series(1, ${userCount}) AS i,
      LATERAL (SELECT (ARRAY[${FIRST.map((x) => `'${x}'`).join(",")}])[1 + (i * 7) % ${FIRST.length}] AS f,
                      (ARRAY[${LAST.map((x) => `'${x}'`).join(",")}])[1 + (i * 13) % ${LAST.length}] AS l) AS names,
      LATERAL (SELECT translate(f, 'éëáö', 'eeao') AS n) AS base`);
  await q(`CREATE TABLE bench_authors AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id FROM users`);
  
  // The search indexes are dropped while loading and built again from their own definitions
  // (a sorted build, many times faster than 10 million GIN insertions one by one).
  const defs = (await db.executeQuery<{ def: string; name: string }>(CompiledQuery.raw(`SELECT indexname AS name, indexdef AS def FROM pg_indexes
    WHERE indexname IN ('post_search_document_idx', 'post_search_created_at_idx', 'users_username_trgm_idx', 'users_display_name_trgm_idx')`))).rows;
  if (defs.length !== 4) throw new Error(`expected the search migration's four indexes, found ${defs.map((d) => d.name).join(", ")}`);
  for (const d of defs.filter((x) => x.name.startsWith("post_search"))) await q(`DROP INDEX ${d.name}`);
  // The live stream's per-post event trigger (one event row and NOTIFY per post, at commit)
  // is off while loading: no stream listens, and it would make the load several times slower.
  const eventTriggers = (await db.executeQuery<{ name: string }>(CompiledQuery.raw(`SELECT tgname AS name FROM pg_trigger
    WHERE tgrelid = 'posts'::regclass AND tgname LIKE 'zz_%'`))).rows.map((r) => r.name);
  for (const t of eventTriggers) await q(`ALTER TABLE posts DISABLE TRIGGER ${t}`);
  // Each post is two fragments of 2–9 words (each at most 60 characters), from two pools of
  // about 20,000 drawn word by word with Zipf's law; post i takes fragment i mod 20,011 of one
  // and (i × 7,919) mod 19,997 of the other, so posts differ while the load costs two hash
  // probes a post rather than a dozen random draws. Every random draw sits in a subquery's
  // output, so it is drawn once per row.
  for (const [table, size] of [["bench_frag_a", 20_011], ["bench_frag_b", 19_997]] as const) {
    await q(`CREATE TABLE ${table} AS SELECT f.k, substring(string_agg(${WORD_SQL("x.r")}, ' ') from '^(.{1,60})(?: |$)') AS text
      FROM generate_series(0, ${size - 1}) AS f(k),
        LATERAL (SELECT ${ZIPF_SQL(VOCABULARY)} + 0 * f.k AS r FROM generate_series(1, 2 + (f.k * 31) % 8) OFFSET 0) AS x
      GROUP BY f.k`);
  }
  await q(`CREATE TABLE bench_tags AS SELECT t.k, (ARRAY[${TAGS.map((t) => `'${t}'`).join(",")}])[1 + x.z] AS tag
    FROM generate_series(0, 999) AS t(k), LATERAL (SELECT ${ZIPF_SQL(TAGS.length)} + 0 * t.k AS z OFFSET 0) AS x`);
  const BATCH = 250_000;
  for (let from = 0; from < posts; from += BATCH) {
    const to = Math.min(posts, from + BATCH);
    await q(`INSERT INTO posts (author_id, content, created_at)
      SELECT a.id, fa.text || ' ' || fb.text || CASE WHEN g.i % 5 = 0 THEN ' #' || t.tag ELSE '' END,
        timestamptz '2026-11-01' + g.i * interval '2 seconds'
      FROM (SELECT i, ${ZIPF_SQL(userCount)} AS k FROM generate_series(${from + 1}, ${to}) AS i OFFSET 0) AS g
        JOIN bench_authors a ON a.k = g.k
        JOIN bench_frag_a fa ON fa.k = g.i % 20011
        JOIN bench_frag_b fb ON fb.k = (g.i::bigint * 7919) % 19997
        JOIN bench_tags t ON t.k = (g.i::bigint * 37) % 1000`);
    log(`  ${fmtInt(to)} posts`);
  }
  // The rare word: one that only one fragment holds (about one post in 20,000).
  const rare = (await db.executeQuery<{ w: string }>(CompiledQuery.raw(RARE_WORD_SQL))).rows[0]!.w;
  for (const t of eventTriggers) await q(`ALTER TABLE posts ENABLE TRIGGER ${t}`);
  log(`  posts in ${fmt((performance.now() - started) / 1000, 0)} s`);
  await q(`INSERT INTO post_tags (post_id, tag, position, created_at)
    SELECT id, substring(content from '#([a-z]+)$'), 0, created_at FROM posts WHERE content ~ '#[a-z]+$'`);
  // documentText(content) for these posts: the words, lower case, one space apart; the tag's
  // '#' is not a word character. Checked against the server's own function below.
  await q(`INSERT INTO post_search (post_id, created_at, document)
    SELECT id, created_at, to_tsvector('${dist.SEARCH_CONFIG}', replace(content, '#', '')) FROM posts`);
  log(`  tags and post_search in ${fmt((performance.now() - started) / 1000, 0)} s`);
  for (const d of defs) {
    if (d.name.startsWith("post_search")) await q(d.def);
  }
  log(`  indexes in ${fmt((performance.now() - started) / 1000, 0)} s`);
  const sample = (await db.executeQuery<{ id: string; content: string }>(CompiledQuery.raw("SELECT id, content FROM posts ORDER BY random() LIMIT 500"))).rows;
  for (const row of sample) {
    const same = await sql<{ same: boolean }>`SELECT s.document = ${dist.tsvectorOf(dist.documentText(row.content))} AS same
      FROM post_search s WHERE s.post_id = ${row.id}::uuid`.execute(db);
    if (!same.rows[0]?.same) throw new Error(`post_search differs from the server's document for ${JSON.stringify(row.content)}`);
  }
  await q("VACUUM ANALYZE");
  return { ms: performance.now() - started, vocabulary, rare };
}

/** What measure() needs from a database seeded earlier (--keep-db): the bench tables stay in it. */
async function seededWords(db: Db): Promise<{ vocabulary: string[]; rare: string }> {
  const vocabulary = (await db.executeQuery<{ w: string }>(CompiledQuery.raw("SELECT w FROM bench_vocab ORDER BY r"))).rows.map((r) => r.w);
  const rare = (await db.executeQuery<{ w: string }>(CompiledQuery.raw(RARE_WORD_SQL))).rows[0]!.w;
  return { vocabulary, rare };
}

interface Measured {
  name: string;
  q: string;
  matches: number;
  p50: number;
  p99: number;
  searchP50: number;
  plan?: string;
  seqScans: string[];
  executionMs?: number;
}

interface PlanNode { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] }
const seqScansOf = (node: PlanNode): string[] => [
  ...(node["Node Type"] === "Seq Scan" ? [node["Relation Name"] ?? "?"] : []),
  ...(node.Plans ?? []).flatMap(seqScansOf),
];

async function explain(db: Db, statement: RawBuilder<unknown>): Promise<{ text: string; seqScans: string[]; executionMs: number }> {
  const compiled = statement.compile(db);
  const text = (await db.executeQuery<{ "QUERY PLAN": string }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`, [...compiled.parameters])))
    .rows.map((r) => r["QUERY PLAN"]).join("\n");
  const json = (await db.executeQuery<{ "QUERY PLAN": Array<{ Plan: PlanNode; "Execution Time": number }> | string }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${compiled.sql}`, [...compiled.parameters]))).rows[0]!["QUERY PLAN"];
  const parsed = (typeof json === "string" ? JSON.parse(json) : json) as Array<{ Plan: PlanNode; "Execution Time": number }>;
  return { text, seqScans: seqScansOf(parsed[0]!.Plan), executionMs: parsed[0]!["Execution Time"] };
}

async function timed(fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.min(20, runs); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

interface SizeResult { backend: "postgres" | "embedded"; posts: number; seedS: number; posts_: Measured[]; users: Measured[] }

async function measure(db: Db, backend: SizeResult["backend"], posts: number, seedMs: number, vocabulary: string[], rare: string): Promise<SizeResult> {
  const viewer = (await db.executeQuery<{ id: string }>(CompiledQuery.raw("SELECT id FROM users ORDER BY username LIMIT 1"))).rows[0]!.id;
  const top = (await db.executeQuery<{ username: string; n: number }>(CompiledQuery.raw(`SELECT u.username, u.posts_count AS n FROM users u ORDER BY u.posts_count DESC LIMIT 1`))).rows[0]!;
  const typical = (await db.executeQuery<{ username: string; n: number }>(CompiledQuery.raw(`SELECT u.username, u.posts_count AS n FROM users u
    WHERE u.posts_count > 0 ORDER BY u.posts_count, u.username LIMIT 1 OFFSET (SELECT count(*) / 2 FROM users WHERE posts_count > 0)`))).rows[0]!;
  // Rare: a word one fragment in 40,000 holds; common: rank 0 (in about half the posts).
  const common = vocabulary[0]!, mid = vocabulary[40]!;
  const queries: Array<[string, string]> = [
    ["rare word", rare],
    ["common word", common],
    ["phrase of two common words", `"${vocabulary[1]} ${vocabulary[2]}"`],
    ["two words, one of them common", `${common} ${mid}`],
    [`from:username (the busiest author, ${fmtInt(top.n)} posts)`, `from:${top.username}`],
    [`from:username (a typical author, ${fmtInt(typical.n)} posts)`, `from:${typical.username}`],
    ["#tag (the most used tag)", `#${TAGS[0]}`],
    ["#tag (a rare tag)", `#${TAGS[TAGS.length - 1]}`],
    ["word and from:", `${mid} from:${top.username}`],
  ];
  const postResults: Measured[] = [];
  for (const [name, q] of flags.only === "users" ? [] : queries) {
    const parsed = dist.parseSearchQuery(q);
    if (!parsed.ok) throw new Error(`${q}: ${parsed.error.message}`);
    // The from: users as searchPosts looks them up first, so the EXPLAIN is of the statement it runs.
    const filter = {
      authorFilter: (author: RawBuilder<unknown>) => dist.visibleTo(viewer, author),
      fromAuthors: parsed.query.from.length > 0 && parsed.query.words.length + parsed.query.phrases.length > 0
        ? await dist.fromAuthors(db, parsed.query) : undefined,
    };
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (${dist.searchPostsStatement(parsed.query, undefined, 100, filter)}) x`.execute(db);
    const route = () => dist.searchPosts(db, parsed.query, undefined, 50, { authorFilter: filter.authorFilter }).then((hits) => dist.renderPosts(db, viewer, hits.slice(0, 50).map((h) => h.id)));
    const whole = await timed(route);
    // searchPosts looks the from: users up itself, as the route's call does.
    const alone = await timed(() => dist.searchPosts(db, parsed.query, undefined, 50, { authorFilter: filter.authorFilter }));
    const plan = await explain(db, dist.searchPostsStatement(parsed.query, undefined, 50, filter));
    postResults.push({ name, q, matches: count.rows[0]!.n, p50: whole.p50, p99: whole.p99, searchP50: alone.p50, plan: plan.text, seqScans: plan.seqScans, executionMs: plan.executionMs });
    log(`  ${backend} ${fmtInt(posts)}: ${name} (${q}): p50 ${fmt(whole.p50, 2)} ms, p99 ${fmt(whole.p99, 2)} ms; search alone p50 ${fmt(alone.p50, 2)}${plan.seqScans.length ? `; SEQ SCAN ${plan.seqScans.join(",")}` : ""}`);
  }
  const someone = (await db.executeQuery<{ username: string; display_name: string }>(CompiledQuery.raw(`SELECT username, display_name FROM users ORDER BY username OFFSET ${Math.floor(userCount * 0.43)} LIMIT 1`))).rows[0]!;
  const userQueries: Array<[string, string]> = [
    ["exact username", someone.username],
    ["prefix of usernames (3 letters)", someone.username.slice(0, 3)],
    ["contained in usernames (4 characters)", someone.username.slice(2, 6)],
    ["display name, accent-insensitive", "nunez"],
    ["a name matching nothing", "qqxyzz"],
  ];
  const userResults: Measured[] = [];
  const userFilter = (id: RawBuilder<unknown>) => dist.visibleTo(viewer, id, { mutes: false });
  for (const [name, q] of flags.only === "posts" ? [] : userQueries) {
    const found = await dist.searchUsers(db, q, 50, userFilter);
    const t = await timed(() => dist.searchUsers(db, q, 20, userFilter));
    const plan = await explain(db, dist.searchUsersStatement(q, 20, userFilter));
    userResults.push({ name, q, matches: found.length, p50: t.p50, p99: t.p99, searchP50: t.p50, plan: plan.text, seqScans: plan.seqScans, executionMs: plan.executionMs });
    log(`  ${backend} users: ${name} (${q}): p50 ${fmt(t.p50, 2)} ms, p99 ${fmt(t.p99, 2)} ms${plan.seqScans.length ? `; SEQ SCAN ${plan.seqScans.join(",")}` : ""}`);
  }
  return { backend, posts, seedS: seedMs / 1000, posts_: postResults, users: userResults };
}

async function onPostgres(posts: number): Promise<SizeResult> {
  const keep = flags["keep-db"];
  if (keep !== undefined && !/^[a-z_][a-z0-9_]*$/.test(keep)) throw new Error(`--keep-db ${keep}: a lower-case SQL name prefix`);
  const name = keep !== undefined ? `${keep}_${posts}_${userCount}` : `niotebook_bench_search_${posts}_${process.pid}`;
  // Which seed() filled a kept database: another version's is seeded again.
  const seedVersion = createHash("sha256").update(seed.toString()).digest("hex").slice(0, 16);
  const admin = new pg.Client({ connectionString: `${flags["pg-url"]}/postgres` });
  await admin.connect();
  let reuse = false;
  if (keep !== undefined && (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1) {
    const probe = new pg.Client({ connectionString: `${flags["pg-url"]}/${name}` });
    await probe.connect();
    const meta = await probe.query<{ version: string }>("SELECT version FROM bench_meta").catch(() => ({ rows: [] as Array<{ version: string }> }));
    await probe.end();
    reuse = meta.rows[0]?.version === seedVersion;
    if (!reuse) await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  }
  if (!reuse) await admin.query(`CREATE DATABASE ${name}`);
  const handle = dist.openPostgres({ url: `${flags["pg-url"]}/${name}`, poolSize: 1, statementTimeoutMs: 3_600_000 });
  try {
    let seeded: { ms: number; vocabulary: string[]; rare: string };
    if (reuse) {
      log(`== PostgreSQL, ${fmtInt(posts)} posts: reusing ${name}`);
      const applied = await dist.migrateToLatest(handle.db);
      if (applied.length > 0) {
        log(`  migrated: ${applied.join(", ")}`);
        await handle.db.executeQuery(CompiledQuery.raw("VACUUM ANALYZE"));
      }
      const ms = (await handle.db.executeQuery<{ ms: number }>(CompiledQuery.raw("SELECT seed_ms AS ms FROM bench_meta"))).rows[0]!.ms;
      seeded = { ms, ...(await seededWords(handle.db)) };
    } else {
      log(`== PostgreSQL, ${fmtInt(posts)} posts: seeding${keep !== undefined ? ` ${name} (kept)` : ""}`);
      seeded = await seed(handle.db, posts);
      await handle.db.executeQuery(CompiledQuery.raw(`CREATE TABLE bench_meta AS SELECT '${seedVersion}'::text AS version, ${Math.round(seeded.ms)}::float8 AS seed_ms`));
      log(`seeded in ${fmt(seeded.ms / 1000, 0)} s`);
    }
    return await measure(handle.db, "postgres", posts, seeded.ms, seeded.vocabulary, seeded.rare);
  } finally {
    await handle.close();
    if (keep === undefined) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function onEmbedded(posts: number): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), "niotebook-search-"));
  const handle = await dist.openEmbedded(dir);
  try {
    log(`== embedded, ${fmtInt(posts)} posts: seeding`);
    const seeded = await seed(handle.db, posts);
    log(`seeded in ${fmt(seeded.ms / 1000, 0)} s`);
    return await measure(handle.db, "embedded", posts, seeded.ms, seeded.vocabulary, seeded.rare);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: SizeResult[], meta: { commit: string; dirty: boolean; loadBefore: number[]; loadAfter: number[] }): string {
  const lines: string[] = [];
  const la = (x: number[]) => x.map((v) => v.toFixed(2)).join(" ");
  lines.push(`## Benchmark — ${startedAt.toISOString()}`, "");
  lines.push(`Generated by \`npm run bench:search\` (bench/search.ts). Commit ${meta.commit.slice(0, 12)}${meta.dirty ? " + uncommitted changes in src/" : ""}, Node ${process.version}, ${cpus().length} cores shared with other work (load average ${la(meta.loadBefore)} at start, ${la(meta.loadAfter)} at the end), PostgreSQL on this machine.`);
  lines.push(`One connection; through the server's own functions: **search p50** is the search statement alone (searchPosts with the reader's block/mute filter, limit 50: the query the targets are about), **route p50/p99** the route's whole database work (that, then renderPosts of the page); users: searchUsers with the route's filter, limit 20; ${runs} runs after 20 unrecorded. ${fmtInt(userCount)} users; each post two fragments of 2–9 words drawn by Zipf's law from ${fmtInt(VOCABULARY)} words (two pools of 20,000 fragments), one in five with a #tag; post_search filled as the server fills it (checked on 500 posts).`, "");
  const target = (r: SizeResult, m: Measured, limit: number) => r.backend === "postgres" && (r.posts === Math.max(...pgSizes) || limit === 5) ? (m.p50 < limit ? " ✓" : " **✗**") : "";
  for (const r of results) {
    lines.push(`### ${r.backend === "postgres" ? "PostgreSQL" : "Embedded (PGlite)"}, ${fmtInt(r.posts)} posts (seeded in ${fmt(r.seedS, 0)} s)`, "");
    lines.push("| posts query | q | matches (≤100 counted) | search p50 ms | route p50 ms | route p99 ms | seq scans |", "|---|---|---:|---:|---:|---:|---|");
    for (const m of r.posts_) lines.push(`| ${m.name} | \`${m.q}\` | ${m.matches}${m.matches > 100 ? "+" : ""} | ${fmt(m.searchP50, 2)}${target(r, { ...m, p50: m.searchP50 }, 20)} | ${fmt(m.p50, 2)} | ${fmt(m.p99, 2)} | ${m.seqScans.join(", ") || "none"} |`);
    lines.push("", `| users query (${fmtInt(userCount)} users) | q | found (≤50) | p50 ms | p99 ms | seq scans |`, "|---|---|---:|---:|---:|---|");
    for (const m of r.users) lines.push(`| ${m.name} | \`${m.q}\` | ${m.matches} | ${fmt(m.p50, 2)}${target(r, m, 5)} | ${fmt(m.p99, 2)} | ${m.seqScans.join(", ") || "none"} |`);
    lines.push("");
  }
  const pgLarge = results.filter((r) => r.backend === "postgres" && r.posts === Math.max(...pgSizes));
  const worst = pgLarge.flatMap((r) => r.posts_).reduce((a, m) => Math.max(a, m.searchP50), 0);
  const worstUser = results.filter((r) => r.backend === "postgres").flatMap((r) => r.users).reduce((a, m) => Math.max(a, m.p50), 0);
  const seqPosts = results.filter((r) => r.backend === "postgres").flatMap((r) => [...r.posts_, ...r.users].flatMap((m) => m.seqScans.filter((t) => t === "posts" || t === "post_search" || t === "users").map((t) => `${fmtInt(r.posts)}: ${m.name} (${t})`)));
  if (pgLarge.length > 0) lines.push("| target (PostgreSQL) | measured | result |", "|---|---|---|");
  if (pgLarge.length > 0 && flags.only !== "users") lines.push(`| every posts query p50 < 20 ms at ${fmtInt(Math.max(...pgSizes))} posts | slowest ${fmt(worst, 2)} ms | ${worst < 20 ? "pass" : "**FAIL**"} |`);
  if (pgLarge.length > 0) lines.push(`| no plan scans posts, post_search or users sequentially | ${seqPosts.join("; ") || "none does"} | ${seqPosts.length === 0 ? "pass" : "**FAIL**"} |`);
  if (pgLarge.length > 0 && flags.only !== "posts") lines.push(`| users search p50 < 5 ms at ${fmtInt(userCount)} users | slowest ${fmt(worstUser, 2)} ms | ${worstUser < 5 ? "pass" : "**FAIL**"} |`, "");
  lines.push("<details><summary>EXPLAIN (ANALYZE, BUFFERS) of every statement, warm</summary>", "");
  for (const r of results) {
    for (const m of [...r.posts_, ...r.users]) {
      lines.push(`#### ${r.backend}, ${fmtInt(r.posts)} posts — ${m.name}: \`${m.q}\` (${fmt(m.executionMs, 3)} ms)`, "", "```", m.plan ?? "", "```", "");
    }
  }
  lines.push("</details>", "");
  return lines.join("\n");
}

const BEGIN = `<!-- ${flags.marker} -->`, END = `<!-- /${flags.marker} -->`;

async function main(): Promise<void> {
  if (!flags["no-build"]) {
    log("building (npm run build)");
    await runOrThrow("npm", ["run", "build"], { cwd: ROOT });
  }
  await loadDist();
  const { commit, dirty } = await sourceRevision();
  const loadBefore = loadavg();
  const results: SizeResult[] = [];
  for (const n of pgSizes) results.push(await onPostgres(n));
  for (const n of embeddedSizes) results.push(await onEmbedded(n));
  const md = report(results, { commit, dirty, loadBefore, loadAfter: loadavg() });
  mkdirSync(flags.out!, { recursive: true });
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
  writeFileSync(join(flags.out!, `${stamp}-search.json`), JSON.stringify({ meta: { startedAt, commit, dirty, pgSizes, embeddedSizes, userCount, runs, loadBefore }, results }, null, 2) + "\n");
  if (!flags["no-docs"]) {
    const doc = existsSync(flags.docs!) ? readFileSync(flags.docs!, "utf8") : "";
    const section = `${BEGIN}\n${md}${END}`;
    const next = doc.includes(BEGIN) ? doc.slice(0, doc.indexOf(BEGIN)) + section + doc.slice(doc.indexOf(END) + END.length) : `${doc.trimEnd()}\n\n${section}\n`;
    writeFileSync(flags.docs!, next);
  }
  process.stdout.write(md.split("<details>")[0]!);
}

await main();
