// `npm run bench:blocks` — the global timeline's first page over HTTP for a reader who blocks
// 50 users and mutes 50 more, against one who blocks and mutes no one (issue 21: the first at
// least 80% of the second's rate). One server on PostgreSQL seeded by `niotebook-server seed`;
// autocannon (bench/load.ts, closed loop) on GET /api/v1/timeline?limit=50, the two readers
// alternating over several rounds; the ratio is the median of per-round ratios. Results go into
// docs/search.md between the "bench:blocks" markers (and bench/results/<date>-blocks.json).
//
//   node bench/blocks-timeline.ts [--posts 100000] [--users 1000] [--rounds 5] [--duration 5]
//                                 [--connections 10] [--server-env NAME=VALUE ...] [--no-build]
//                                 [--pg-url postgres://postgres@127.0.0.1:5432] [--docs docs/search.md] [--no-docs]
//
// Two filtered readers: one hides 100 users picked at random (typical), the other the 100 who
// wrote the most posts (the worst case: most of the newest posts are theirs).
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  NODE, ROOT, SERVER_BIN, fmt, fmtInt, median, quiesce, runOrThrow, signAccessToken,
  sleep, stopChild, usageOf, loadGenerator, sourceRevision, startServer} from "./lib.ts";
import type { LoadData } from "./scenarios.ts";
import type { LoadResult } from "./load.ts";

const { values: flags } = parseArgs({
  options: {
    posts: { type: "string", default: "100000" },
    users: { type: "string", default: "1000" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    "server-env": { type: "string", multiple: true, default: [] },
    "no-build": { type: "boolean", default: false },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
    docs: { type: "string", default: join(ROOT, "docs", "search.md") },
    "no-docs": { type: "boolean", default: false },
    out: { type: "string", default: join(ROOT, "bench", "results") },
    help: { type: "boolean", short: "h" },
  },
});
if (flags.help) {
  console.log(usageOf(import.meta.url));
  process.exit(0);
}
const BLOCKS = 50, MUTES = 50;
const posts = Number(flags.posts), users = Number(flags.users), rounds = Number(flags.rounds);
const durationS = Number(flags.duration), connections = Number(flags.connections);
const extraEnv: Record<string, string> = Object.fromEntries(flags["server-env"]!.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const startedAt = new Date();
const work = mkdtempSync(join(tmpdir(), "niotebook-blocks-"));
const children = new Set<ChildProcess>();
const log = (msg: string) => process.stderr.write(`[blocks ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
const dbName = `niotebook_bench_blocks_${process.pid}`;

async function admin(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: `${flags["pg-url"]}/postgres` });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

const generate = loadGenerator(children);

async function main(): Promise<void> {
  if (!flags["no-build"]) {
    log("building (npm run build)");
    await runOrThrow("npm", ["run", "build"], { cwd: ROOT });
  }
  const { commit, dirty } = await sourceRevision();
  const loadBefore = loadavg();
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${dbName}`);
  const dbUrl = `${flags["pg-url"]}/${dbName}`;
  const secret = randomBytes(48).toString("base64");
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIOTEBOOK_")) env[k] = v;
  Object.assign(env, { NODE_ENV: "production", NIOTEBOOK_LOG_LEVEL: "warn", NIOTEBOOK_DB_URL: dbUrl, NIOTEBOOK_JWT_SECRET: secret, NIOTEBOOK_RATE_LIMIT: "off", ...extraEnv });
  log(`seeding ${fmtInt(users)} users, ${fmtInt(posts)} posts`);
  await runOrThrow(NODE, [SERVER_BIN, "seed", "--users", String(users), "--posts", String(posts)], { env });

  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  await c.query("VACUUM (ANALYZE)");
  const all = (await c.query<{ id: string; username: string; n: number }>(
    "SELECT u.id, u.username, count(p.id)::int AS n FROM users u LEFT JOIN posts p ON p.author_id = u.id GROUP BY u.id ORDER BY n DESC, u.id")).rows;
  // The readers write little. One hides 100 users picked at random (every 7th of the rest, by
  // id: a typical reader); the other the 100 who wrote the most (the worst case: most of the
  // newest posts are theirs).
  const [plain, typical, worst] = [all[all.length - 1]!, all[all.length - 2]!, all[all.length - 3]!];
  const others = all.slice(0, all.length - 3);
  const picks = {
    typical: [...others].sort((a, b) => a.id.localeCompare(b.id)).filter((_, i) => i % 7 === 3).slice(0, BLOCKS + MUTES),
    worst: others.slice(0, BLOCKS + MUTES),
  };
  const newest = (await c.query<{ author_id: string }>("SELECT author_id FROM posts ORDER BY created_at DESC, id DESC LIMIT 50")).rows;
  const shareOf = (hidden: typeof others) => newest.filter((p) => hidden.some((u) => u.id === p.author_id)).length / newest.length;
  const hiddenShare = { typical: shareOf(picks.typical), worst: shareOf(picks.worst) };
  await c.end();

  const { server, url } = await startServer(env, join(work, "server"), children);
  const token = (u: { id: string; username: string }) => signAccessToken(secret, u.id, u.username);
  for (const [reader, hidden] of [[typical, picks.typical], [worst, picks.worst]] as const) {
    for (const [i, u] of hidden.entries()) {
      const res = await fetch(`${url}/api/v1/users/${u.id}/${i < BLOCKS ? "block" : "mute"}`, { method: "POST", headers: { authorization: `Bearer ${token(reader)}` } });
      if (res.status !== 200) throw new Error(`block/mute: ${res.status} ${await res.text()}`);
    }
    // The filtered page must leave out everyone hidden (else the comparison means nothing).
    const page = (await (await fetch(`${url}/api/v1/timeline?limit=50`, { headers: { authorization: `Bearer ${token(reader)}` } })).json()) as { posts: Array<{ author: { id: string } }> };
    if (page.posts.length !== 50 || page.posts.some((p) => hidden.some((u) => u.id === p.author.id))) throw new Error("a filtered reader's page is not filtered, or short");
  }

  const dataFor = (u: { id: string; username: string }, name: string) => {
    const data: LoadData = { tokens: [token(u)], userIds: [u.id], emails: [""], password: "", deepCursor: "" };
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(data));
    return file;
  };
  const files = { plain: dataFor(plain, "plain"), typical: dataFor(typical, "typical"), worst: dataFor(worst, "worst") };
  const base = { url, connections, durationS, warmupS: 1, mode: "closed" as const, sources: 1, scenario: "timeline-first" as const };
  log("warm-up");
  for (const f of Object.values(files)) await generate({ ...base, dataFile: f, durationS: 2 });
  const measured: Array<{ plain: LoadResult; typical: LoadResult; worst: LoadResult }> = [];
  for (let r = 1; r <= rounds; r++) {
    const one = async (file: string) => {
      await quiesce(server.pid!);
      const x = await generate({ ...base, dataFile: file, seed: r });
      if (x.errors > 0) throw new Error(`${x.errors} errors ${JSON.stringify(x.byStatus)}`);
      return x;
    };
    // Alternate which reader goes first, so a trend in the machine's load hits both alike.
    // Rotate which reader goes first, so a trend in the machine's load hits all alike.
    const order = (["plain", "typical", "worst"] as const).map((_, i, all) => all[(i + r) % 3]!);
    const got: Partial<Record<"plain" | "typical" | "worst", LoadResult>> = {};
    for (const name of order) got[name] = await one(files[name]);
    const m = got as Record<"plain" | "typical" | "worst", LoadResult>;
    measured.push(m);
    log(`  round ${r}: no blocks ${fmt(m.plain.rps, 0)} req/s (p50 ${fmt(m.plain.p50, 2)} ms), typical ${fmt(m.typical.rps, 0)} (p50 ${fmt(m.typical.p50, 2)}), worst ${fmt(m.worst.rps, 0)} (p50 ${fmt(m.worst.p50, 2)})`);
  }
  await stopChild(server);
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  const ratio = median(measured.map((m) => m.typical.rps / m.plain.rps));
  const worstRatio = median(measured.map((m) => m.worst.rps / m.plain.rps));
  const loadAfter = loadavg();
  const la = (x: number[]) => x.map((v) => v.toFixed(2)).join(" ");
  const lines = [
    `## Global timeline with blocks and mutes — ${startedAt.toISOString()}`, "",
    `Generated by \`npm run bench:blocks\` (bench/blocks-timeline.ts). Commit ${commit.slice(0, 12)}${dirty ? " + uncommitted changes in src/" : ""}, Node ${process.version}, ${cpus().length} cores shared with other work (load average ${la(loadBefore)} at start, ${la(loadAfter)} at the end), PostgreSQL on this machine.`,
    `One server (${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(" ") || "default configuration: first-page cache on"}), ${fmtInt(posts)} posts by ${fmtInt(users)} users (\`niotebook-server seed\`); GET /api/v1/timeline?limit=50 by one reader at a time, autocannon with ${connections} connections, ${rounds} rounds × ${durationS} s, readers alternating; each filtered reader blocks ${BLOCKS} users and mutes ${MUTES} more: the typical one users picked at random (${Math.round(hiddenShare.typical * 100)}% of the newest 50 posts are theirs), the worst case the ${BLOCKS + MUTES} most prolific (${Math.round(hiddenShare.worst * 100)}%, so the cached rows cannot fill the page and the filtered query answers).`, "",
    "| round | no blocks req/s | p50 ms | typical 50 + 50 req/s | p50 ms | ratio | worst case req/s | p50 ms | ratio |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...measured.map((m, i) => `| ${i + 1} | ${fmt(m.plain.rps, 0)} | ${fmt(m.plain.p50, 2)} | ${fmt(m.typical.rps, 0)} | ${fmt(m.typical.p50, 2)} | ${fmt(m.typical.rps / m.plain.rps, 2)} | ${fmt(m.worst.rps, 0)} | ${fmt(m.worst.p50, 2)} | ${fmt(m.worst.rps / m.plain.rps, 2)} |`),
    "", `| target | measured | result |`, "|---|---|---|",
    `| a reader with 50 blocks and 50 mutes (picked at random): rate ≥ 80% of a reader with none | ${Math.round(ratio * 100)}% (median of rounds) | ${ratio >= 0.8 ? "pass" : "**FAIL**"} |`,
    `| the same, hiding the 100 most prolific authors (worst case) | ${Math.round(worstRatio * 100)}% | ${worstRatio >= 0.8 ? "pass" : "**FAIL**"} |`, "",
  ];
  const md = lines.join("\n");
  mkdirSync(flags.out!, { recursive: true });
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
  writeFileSync(join(flags.out!, `${stamp}-blocks.json`), JSON.stringify({ meta: { startedAt, commit, dirty, posts, users, rounds, durationS, connections, extraEnv, loadBefore, loadAfter, hiddenShare }, ratio, worstRatio, measured }, null, 2) + "\n");
  if (!flags["no-docs"]) {
    const BEGIN = "<!-- bench:blocks -->", END = "<!-- /bench:blocks -->";
    const doc = existsSync(flags.docs!) ? readFileSync(flags.docs!, "utf8") : "";
    const section = `${BEGIN}\n${md}${END}`;
    writeFileSync(flags.docs!, doc.includes(BEGIN) ? doc.slice(0, doc.indexOf(BEGIN)) + section + doc.slice(doc.indexOf(END) + END.length) : `${doc.trimEnd()}\n\n${section}\n`);
  }
  process.stdout.write(md);
}

try {
  await main();
} finally {
  await Promise.all([...children].map((child) => stopChild(child, 5_000)));
  rmSync(work, { recursive: true, force: true });
  await sleep(0);
}
