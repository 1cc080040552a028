// `npm run bench:stream` — live streams under load: one server process (then two on two ports
// sharing the database) on PostgreSQL holding 1,000, 5,000 and 10,000 open home streams, each
// of a distinct user following a random 50 others, while a writer posts 20 posts/s as random
// users. Measures delivery latency from the write's answer to receipt at every stream that
// should get it (p50, p99, max), events lost, duplicated or misdelivered (the contract's home
// rule: the author's own stream and the streams of the author's followers), server RSS per
// open stream ((RSS with N open − RSS idle) / N) and server CPU while posting. Writes
// docs/bench-stream.md and bench/results/<date>-stream.json.
//
//   node bench/stream.ts [--sizes 1000,5000,10000] [--processes 1,2] [--follows 50] [--rate 20]
//                        [--duration 20] [--clients 2] [--no-build] [--pg-url postgres://postgres@127.0.0.1:5432]
//                        [--out bench/results] [--docs docs/bench-stream.md]
//
// The streams' sockets live in --clients child processes of this script (raw node:http, no
// keep-alive agent, only post events parsed); the writer and the bookkeeping run here. One
// clock: performance.timeOrigin + performance.now() in every process of this machine.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  NODE, ROOT, SERVER_BIN, cpuTicks, fmtInt, freePort, percentile, processTree, quiesce, round, rssKb, runOrThrow,
  signAccessToken, sleep, stopChild, usageOf, waitForHealth,
} from "./lib.ts";

const now = () => performance.timeOrigin + performance.now();

// ── the client child: holds streams, reports what arrived ────────────────────────────────

interface StreamSpec { i: number; port: number; token: string }
type ToClient = { type: "open"; streams: StreamSpec[]; concurrency: number } | { type: "collect" } | { type: "close" };
interface ClientReport {
  type: "report";
  /** post id → [stream index, received at (ms)] pairs, flattened. */
  receipts: Record<string, number[]>;
  ended: number;
  statuses: Record<string, number>;
}

function runClient(): void {
  const receipts: Record<string, number[]> = {};
  const requests: http.ClientRequest[] = [];
  let ended = 0;
  const statuses: Record<string, number> = {};
  let opened = 0;

  const openOne = (s: StreamSpec, onReady: () => void) => {
    const req = http.request({
      host: "127.0.0.1", port: s.port, path: "/api/v1/stream?timeline=home", agent: false,
      headers: { authorization: `Bearer ${s.token}`, accept: "text/event-stream" },
    }, (res) => {
      statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
      res.setEncoding("utf8");
      let buf = "";
      let ready = false;
      res.on("data", (chunk: string) => {
        const t = now();
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (!ready && frame.includes("event: ready")) {
            ready = true;
            onReady();
            continue;
          }
          // Only post events are counted; pings and the rest are skipped unparsed.
          if (!frame.includes("\nevent: post\n")) continue;
          const data = frame.slice(frame.indexOf("\ndata: ") + 7);
          const id = (JSON.parse(data) as { id: string }).id;
          (receipts[id] ??= []).push(s.i, t);
        }
      });
      res.on("end", () => { ended++; if (!ready) onReady(); });
      res.on("error", () => {});
    });
    req.on("error", () => { ended++; statuses.error = (statuses.error ?? 0) + 1; onReady(); });
    req.end();
    requests.push(req);
  };

  process.on("message", (msg: ToClient) => {
    if (msg.type === "open") {
      // At most `concurrency` opening at once: 10,000 SYNs at once overflow the listen backlog.
      let next = 0, inFlight = 0;
      const pump = () => {
        while (inFlight < msg.concurrency && next < msg.streams.length) {
          inFlight++;
          openOne(msg.streams[next++]!, () => {
            inFlight--;
            opened++;
            if (opened === msg.streams.length) process.send!({ type: "opened", opened });
            else pump();
          });
        }
      };
      pump();
    } else if (msg.type === "collect") {
      const report: ClientReport = { type: "report", receipts, ended, statuses };
      process.send!(report);
    } else {
      for (const r of requests) r.destroy();
      process.disconnect();
    }
  });
}

if (process.argv[2] === "--client") runClient();
else await main();

// ── the bench ─────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      sizes: { type: "string", default: "1000,5000,10000" },
      processes: { type: "string", default: "1,2" },
      follows: { type: "string", default: "50" },
      rate: { type: "string", default: "20" },
      duration: { type: "string", default: "20" },
      clients: { type: "string", default: "2" },
      "server-env": { type: "string", multiple: true, default: [] },
      "no-build": { type: "boolean", default: false },
      "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
      out: { type: "string", default: join(ROOT, "bench", "results") },
      docs: { type: "string", default: join(ROOT, "docs", "bench-stream.md") },
      help: { type: "boolean", short: "h" },
    },
  });
  if (flags.help) {
    console.log(usageOf(import.meta.url));
    return;
  }
  const sizes = flags.sizes!.split(",").map(Number);
  const processCounts = flags.processes!.split(",").map(Number);
  const followsEach = Number(flags.follows);
  const rate = Number(flags.rate);
  const durationS = Number(flags.duration);
  const clientCount = Number(flags.clients);
  const extraEnv = Object.fromEntries(flags["server-env"]!.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  const startedAt = new Date();
  const log = (msg: string) => process.stderr.write(`[stream ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
  const loadBefore = loadavg();
  const children = new Set<ChildProcess>();
  const cleanup = () => { for (const c of children) c.kill("SIGKILL"); };
  process.on("exit", cleanup);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => { cleanup(); process.exit(130); });

  if (!flags["no-build"]) {
    log("building");
    await runOrThrow("npm", ["run", "build"], { cwd: ROOT });
  }
  const commit = (await runOrThrow("git", ["rev-parse", "--short=12", "HEAD"], { cwd: ROOT })).stdout.trim();
  const dirty = (await runOrThrow("git", ["status", "--porcelain", "--", "src", "bench"], { cwd: ROOT })).stdout.trim() !== "";

  const secret = `bench-stream-${randomUUID()}`;
  const adminUrl = `${flags["pg-url"]}/postgres`;
  const dbName = `niotebook_bench_stream_${process.pid}`;
  const dbUrl = `${flags["pg-url"]}/${dbName}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try { await c.query(q); } finally { await c.end(); }
  };

  const serverEnv = (port: number, metricsPort: number): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIOTEBOOK_")) env[k] = v;
    return {
      ...env, NODE_ENV: "production", NIOTEBOOK_LOG_LEVEL: "warn", NIOTEBOOK_DB_URL: dbUrl, NIOTEBOOK_JWT_SECRET: secret,
      NIOTEBOOK_RATE_LIMIT: "off", NIOTEBOOK_PORT: String(port), NIOTEBOOK_HOST: "127.0.0.1", NIOTEBOOK_METRICS_PORT: String(metricsPort),
      ...extraEnv,
    };
  };
  const startServer = async (): Promise<Server> => {
    const port = await freePort();
    const metricsPort = await freePort();
    const child = spawn(NODE, [SERVER_BIN], { env: serverEnv(port, metricsPort), stdio: ["ignore", "ignore", "inherit"] });
    children.add(child);
    child.once("exit", () => children.delete(child));
    await waitForHealth(`http://127.0.0.1:${port}`, 60_000);
    return { child, port, metricsPort };
  };
  /** The server's own delivery lag (newest event's commit to its fan-out, per batch): sum and count so far. */
  const lagOf = async (servers: Server[]) => {
    let sum = 0, count = 0;
    for (const s of servers) {
      const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
      sum += Number(/^niotebook_event_delivery_lag_seconds_sum(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0);
      count += Number(/^niotebook_event_delivery_lag_seconds_count(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0);
    }
    return { sum, count };
  };

  const results: RunResult[] = [];
  await admin(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin(`CREATE DATABASE ${dbName}`);
  try {
    // The first start migrates the new database.
    const first = await startServer();
    await stopChild(first.child);
    for (const n of sizes) {
      const graph = await seed(dbUrl, n, followsEach, log);
      const tokens = graph.ids.map((id, i) => signAccessToken(secret, id, graph.usernames[i]!, 6 * 3600));
      for (const p of processCounts) {
        log(`${fmtInt(n)} streams on ${p} server process${p > 1 ? "es" : ""}`);
        results.push(await measure({ n, p, graph, tokens }));
      }
    }
  } finally {
    cleanup();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
  }
  const loadAfter = loadavg();

  async function measure({ n, p, graph, tokens }: { n: number; p: number; graph: Graph; tokens: string[] }): Promise<RunResult> {
    const servers: Server[] = [];
    for (let k = 0; k < p; k++) servers.push(await startServer());
    const pids = () => servers.flatMap((s) => processTree(s.child.pid!));
    for (const s of servers) await quiesce(s.child.pid!, 5_000);
    const idleKb = servers.map((s) => rssKb(s.child.pid!));
    // Streams alternate between the servers; each client child holds a share of every server's.
    const specs: StreamSpec[] = graph.ids.map((_, i) => ({ i, port: servers[i % p]!.port, token: tokens[i]! }));
    const clients: ChildProcess[] = [];
    const opened = [];
    for (let c = 0; c < clientCount; c++) {
      const child = fork(import.meta.filename, ["--client"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      children.add(child);
      child.once("exit", () => children.delete(child));
      clients.push(child);
      opened.push(new Promise<void>((resolve) => child.on("message", (m: { type: string }) => { if (m.type === "opened") resolve(); })));
      child.send({ type: "open", streams: specs.filter((s) => s.i % clientCount === c), concurrency: 100 } satisfies ToClient);
    }
    const openStart = now();
    await Promise.all(opened);
    const openMs = now() - openStart;
    log(`  ${fmtInt(n)} streams open in ${(openMs / 1000).toFixed(1)} s`);
    await sleep(3_000);
    const openKb = servers.map((s) => rssKb(s.child.pid!));

    // The writer: `rate` posts a second as random users, through the first server.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const writes: Array<{ id: string; author: number; answeredAt: number }> = [];
    const answerMs: number[] = [];
    let failedWrites = 0;
    const post = (author: number) => new Promise<void>((resolve) => {
      const sentAt = now();
      const body = JSON.stringify({ content: `bench stream post by ${author} at ${Date.now()}` });
      const req = http.request({
        host: "127.0.0.1", port: servers[0]!.port, path: "/api/v1/posts", method: "POST", agent,
        headers: { authorization: `Bearer ${tokens[author]}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          const answeredAt = now();
          answerMs.push(answeredAt - sentAt);
          if (res.statusCode === 201) writes.push({ id: (JSON.parse(text) as { post: { id: string } }).post.id, author, answeredAt });
          else failedWrites++;
          resolve();
        });
      });
      req.on("error", () => { failedWrites++; resolve(); });
      req.end(body);
    });
    const lagBefore = await lagOf(servers);
    const cpuBefore = cpuTicks(pids());
    const writeStart = now();
    const inFlight: Array<Promise<void>> = [];
    const total = Math.round(rate * durationS);
    for (let k = 0; k < total; k++) {
      const due = writeStart + (k * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      inFlight.push(post(Math.floor(Math.random() * n)));
    }
    await Promise.all(inFlight);
    const writeMs = now() - writeStart;
    const cpuTicksUsed = cpuTicks(pids()) - cpuBefore;
    const rssEndKb = servers.map((s) => rssKb(s.child.pid!));
    // Time for the last events to arrive (the contract's bound is 1 s; the safety poll is 2 s).
    await sleep(3_000);
    const lagAfter = await lagOf(servers);
    agent.destroy();

    const reports = await Promise.all(clients.map((child) => new Promise<ClientReport>((resolve) => {
      child.on("message", (m: ClientReport) => { if (m.type === "report") resolve(m); });
      child.send({ type: "collect" } satisfies ToClient);
    })));
    for (const child of clients) child.send({ type: "close" } satisfies ToClient);
    for (const s of servers) await stopChild(s.child);
    await Promise.all(clients.map((c) => stopChild(c, 5_000)));

    // Bookkeeping: every write against who should have it (its author and the author's followers).
    const got = new Map<string, number[]>();
    for (const r of reports) for (const [id, pairs] of Object.entries(r.receipts)) got.set(id, [...(got.get(id) ?? []), ...pairs]);
    const latencies: number[] = [];
    let expected = 0, lost = 0, duplicated = 0, misdelivered = 0;
    const known = new Set(writes.map((w) => w.id));
    for (const w of writes) {
      const should = new Set([w.author, ...graph.followers[w.author]!]);
      expected += should.size;
      const seen = new Set<number>();
      const pairs = got.get(w.id) ?? [];
      for (let k = 0; k < pairs.length; k += 2) {
        const stream = pairs[k]!;
        if (!should.has(stream)) misdelivered++;
        else if (seen.has(stream)) duplicated++;
        else {
          seen.add(stream);
          latencies.push(pairs[k + 1]! - w.answeredAt);
        }
      }
      lost += should.size - seen.size;
    }
    for (const id of got.keys()) if (!known.has(id)) misdelivered++;
    latencies.sort((a, b) => a - b);
    const streamsEnded = reports.reduce((a, r) => a + r.ended, 0);
    const statuses: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    const idle = idleKb.reduce((a, b) => a + b, 0), open = openKb.reduce((a, b) => a + b, 0);
    const result: RunResult = {
      streams: n, processes: p, openS: round(openMs / 1000, 1), statuses, streamsEnded,
      posts: writes.length, failedWrites, postsPerS: round(writes.length / (writeMs / 1000), 1),
      deliveries: latencies.length, expected, lost, duplicated, misdelivered,
      p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1), maxMs: round(latencies.at(-1) ?? NaN, 1),
      idleRssMb: round(idle / 1024, 1), openRssMb: round(open / 1024, 1), endRssMb: round(rssEndKb.reduce((a, b) => a + b, 0) / 1024, 1),
      kbPerStream: round((open - idle) / n, 1),
      writeP50Ms: round(percentile(answerMs.sort((a, b) => a - b), 50), 1), writeP99Ms: round(percentile(answerMs, 99), 1),
      serverLagMs: round(((lagAfter.sum - lagBefore.sum) / Math.max(1, lagAfter.count - lagBefore.count)) * 1000, 1),
      batches: lagAfter.count - lagBefore.count,
      // Ticks are 1/100 s: percent of one core over the posting phase, summed over the server processes.
      cpuPercent: round((cpuTicksUsed * 1000) / writeMs, 1),
    };
    log(`  ${JSON.stringify(result)}`);
    return result;
  }

  // ── report ──
  const stamp = startedAt.toISOString().replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
  mkdirSync(flags.out!, { recursive: true });
  const jsonPath = join(flags.out!, `${stamp}-stream.json`);
  writeFileSync(jsonPath, JSON.stringify({
    meta: { startedAt, commit, dirty, node: process.version, cores: cpus().length, sizes, processCounts, followsEach, rate, durationS, clientCount, loadBefore, loadAfter },
    results,
  }, null, 2) + "\n");
  const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  const lines = [
    `# Live streams under load — ${startedAt.toISOString()}`,
    "",
    `Generated by \`npm run bench:stream\` (bench/stream.ts). Commit ${commit}${dirty ? " (with uncommitted changes)" : ""}, Node ${process.version}, ${cpus().length} cores shared with other work, PostgreSQL on this machine.`,
    `Load average (1, 5, 15 min) at start ${la(loadBefore)}, at end ${la(loadAfter)}.`,
    "",
    `Each stream is \`GET /api/v1/stream?timeline=home\` of a distinct user who follows ${followsEach} random others (seeded in SQL); a writer posts ${rate} posts/s for ${durationS} s as random users through the first server process. ` +
      `With two processes the streams alternate between them (two ports, one database; wake-ups by PostgreSQL NOTIFY, no Redis). ` +
      `The streams are held by ${clientCount} client processes (node:http, no keep-alive agent; open files limit ${openFilesLimit()}). Latency is from the write's answer at the writer to the event's arrival at each stream that should get it (the author's own and every follower's); ` +
      `lost = expected but never received, duplicated = received twice, misdelivered = received by a stream that should not have it. RSS per stream = (server RSS with N open − RSS idle) / N, summed over the server processes. CPU = server processes' user+system time while posting, as % of one core.`,
    "",
    "| streams | server processes | opened in s | posts (per s) | deliveries expected | p50 ms | p99 ms | max ms | lost | duplicated | misdelivered | streams ended | RSS idle MB | RSS open MB | KB per stream | server CPU % | write answer p50 / p99 ms | server lag mean ms (batches) |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map((r) => `| ${fmtInt(r.streams)} | ${r.processes} | ${r.openS} | ${r.posts} (${r.postsPerS}) | ${fmtInt(r.expected)} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.lost} | ${r.duplicated} | ${r.misdelivered} | ${r.streamsEnded} | ${r.idleRssMb} | ${r.openRssMb} | ${r.kbPerStream} | ${r.cpuPercent} | ${r.writeP50Ms} / ${r.writeP99Ms} | ${r.serverLagMs} (${r.batches}) |`),
    "",
    "Write answer = the writer's POST /api/v1/posts, sent to answered. Server lag = the server's own metric (niotebook_event_delivery_lag_seconds): from the newest event of a batch being written to its fan-out, mean over the batches while posting.",
    "",
  ];
  const largest = results.filter((r) => r.streams === Math.max(...sizes));
  const pass = (ok: boolean) => (ok ? "pass" : "**fail**");
  lines.push("| target | measured | goal | result |", "|---|---|---|---|");
  for (const r of largest) {
    const tag = `${fmtInt(r.streams)} streams, ${r.processes} process${r.processes > 1 ? "es" : ""}`;
    lines.push(`| streams held (${tag}) | ${fmtInt(r.streams - r.streamsEnded)} (${JSON.stringify(r.statuses)}) | ${fmtInt(r.streams)} | ${pass(r.streamsEnded === 0 && r.statuses["200"] === r.streams)} |`);
    lines.push(`| p99 delivery (${tag}) | ${r.p99Ms} ms | ≤ 1,000 ms | ${pass(r.p99Ms <= 1000)} |`);
    lines.push(`| RSS per stream (${tag}) | ${r.kbPerStream} KB | ≤ 20 KB | ${pass(r.kbPerStream <= 20)} |`);
  }
  const clean = results.every((r) => r.lost === 0 && r.duplicated === 0 && r.misdelivered === 0);
  lines.push(`| events lost, duplicated or misdelivered (every run) | ${clean ? "none" : "some"} | 0 | ${pass(clean)} |`, "");
  lines.push(`Raw figures: ${join("bench", "results", `${stamp}-stream.json`)}.`, "");
  mkdirSync(dirname(flags.docs!), { recursive: true });
  writeFileSync(flags.docs!, lines.join("\n"));
  log(`wrote ${flags.docs} and ${jsonPath}`);
  console.log(lines.join("\n"));
}

interface RunResult {
  streams: number; processes: number; openS: number; statuses: Record<string, number>; streamsEnded: number;
  posts: number; failedWrites: number; postsPerS: number; deliveries: number; expected: number;
  lost: number; duplicated: number; misdelivered: number; p50Ms: number; p99Ms: number; maxMs: number;
  idleRssMb: number; openRssMb: number; endRssMb: number; kbPerStream: number; cpuPercent: number;
  writeP50Ms: number; writeP99Ms: number; serverLagMs: number; batches: number;
}

function openFilesLimit(): string {
  try {
    return /Max open files\s+(\d+)/.exec(readFileSync("/proc/self/limits", "utf8"))?.[1] ?? "?";
  } catch {
    return "?";
  }
}

interface Server { child: ChildProcess; port: number; metricsPort: number }

interface Graph { ids: string[]; usernames: string[]; followers: number[][] }

/**
 * n users (fresh each size: the follow graph is per size), each following `each` random others,
 * straight in SQL. Triggers are off while the follows go in (session_replication_role): the
 * notifications and `reset` events 50 follows each would make are not what is measured.
 */
async function seed(dbUrl: string, n: number, each: number, log: (m: string) => void): Promise<Graph> {
  const started = Date.now();
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    await c.query("TRUNCATE follows, posts, notifications, events CASCADE");
    await c.query("DELETE FROM users");
    const ids = Array.from({ length: n }, () => randomUUID());
    const usernames = ids.map((_, i) => `bench_s${i}`);
    await c.query(`INSERT INTO users (id, username, email, password_hash, display_name)
      SELECT id, name, name || '@example.com', 'x', name FROM unnest($1::uuid[], $2::text[]) AS t(id, name)`, [ids, usernames]);
    const followers: number[][] = Array.from({ length: n }, () => []);
    const from: string[] = [], to: string[] = [];
    for (let a = 0; a < n; a++) {
      const chosen = new Set<number>();
      while (chosen.size < Math.min(each, n - 1)) {
        const b = Math.floor(Math.random() * n);
        if (b !== a) chosen.add(b);
      }
      for (const b of chosen) {
        followers[b]!.push(a);
        from.push(ids[a]!);
        to.push(ids[b]!);
      }
    }
    await c.query("SET session_replication_role = replica");
    for (let k = 0; k < from.length; k += 50_000) {
      await c.query(`INSERT INTO follows (follower_id, followee_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])`,
        [from.slice(k, k + 50_000), to.slice(k, k + 50_000)]);
    }
    await c.query("SET session_replication_role = origin");
    // The counter the triggers would have kept (the hub reads it to choose how to read relations).
    await c.query(`UPDATE users u SET followers_count = f.n FROM (SELECT followee_id, count(*)::int AS n FROM follows GROUP BY followee_id) f WHERE f.followee_id = u.id`);
    await c.query("VACUUM (ANALYZE) users, follows");
    log(`seeded ${fmtInt(n)} users and ${fmtInt(from.length)} follows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { ids, usernames, followers };
  } finally {
    await c.end();
  }
}
