// Load: 500 concurrent connections of mixed reads and writes for 60 s against PostgreSQL with
// zero errors, and a steady soak (10 minutes by default) with memory and open handles flat.
// Rate limits are off here; separate tests prove the limits. Figures are printed and written
// to reports/load-<date>.json. Run with: npm run test:load
import autocannon from "autocannon";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, registerUser, startServerProcess, TEST_JWT_SECRET, type ServerProcess } from "../support/server-process.js";

const adminUrl = process.env.NIOTEBOOK_TEST_DB_URL;
if (!adminUrl) console.warn("NOTICE: load tests skipped: set NIOTEBOOK_TEST_DB_URL to a PostgreSQL server");
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const SOAK_MINUTES = Number(process.env.SOAK_MINUTES ?? 10);

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
}
const openHandles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

interface Sample { s: number; rssMb: number; fds: number }

async function drive(server: ServerProcess, tokens: string[], connections: number, seconds: number, overallRate?: number) {
  let next = 0;
  const auth = (req: autocannon.Request, context: object): autocannon.Request => {
    const ctx = context as { auth?: string };
    ctx.auth ??= tokens[next++ % tokens.length]!;
    return { ...req, headers: { ...req.headers, authorization: `Bearer ${String(ctx.auth)}` } };
  };
  const read = { method: "GET" as const, path: "/api/v1/timeline?limit=20", setupRequest: auth };
  const write = {
    method: "POST" as const, path: "/api/v1/posts", headers: { "content-type": "application/json" },
    body: JSON.stringify({ content: "load test post" }), setupRequest: auth,
  };
  const samples: Sample[] = [];
  const started = Date.now();
  const sampler = setInterval(() => samples.push({ s: (Date.now() - started) / 1000, rssMb: rssMb(server.child.pid!), fds: openHandles(server.child.pid!) }), 1_000);
  const result = await autocannon({
    url: server.url, connections, duration: seconds, timeout: 20,
    ...(overallRate ? { overallRate } : {}),
    requests: [read, read, read, read, read, read, read, read, read, write],
  });
  clearInterval(sampler);
  return { result, samples };
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.skipIf(!adminUrl)("load on PostgreSQL", () => {
  let server: ServerProcess;
  let drop: () => Promise<void>;
  const tokens: string[] = [];
  const report: Record<string, unknown> = { date: new Date().toISOString() };
  beforeAll(async () => {
    const db = await createTestDatabase(adminUrl!);
    drop = db.drop;
    server = await startServerProcess({ NIOTEBOOK_DB_URL: db.url, NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET, NIOTEBOOK_LOG_LEVEL: "warn" });
    for (let i = 0; i < 40; i++) tokens.push((await registerUser(server.url, `loader${i}`)).tokens.access_token);
  }, 120_000);
  afterAll(async () => {
    mkdirSync("reports", { recursive: true });
    writeFileSync(`reports/load-${report.date as string}.json`, JSON.stringify(report, null, 2));
    await server?.stop();
    await drop?.();
  });

  it(`serves 500 concurrent connections of mixed traffic for ${LOAD_SECONDS} s with zero errors`, async () => {
    const { result, samples } = await drive(server, tokens, 500, LOAD_SECONDS);
    const warm = samples.filter((s) => s.s > LOAD_SECONDS / 4);
    const firstHalf = avg(warm.slice(0, Math.floor(warm.length / 2)).map((s) => s.rssMb));
    const secondHalf = avg(warm.slice(Math.floor(warm.length / 2)).map((s) => s.rssMb));
    const summary = {
      requests: result.requests.total, rps: result.requests.average, p50_ms: result.latency.p50, p99_ms: result.latency.p99,
      errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, rss_mb_first_half: firstHalf, rss_mb_second_half: secondHalf,
      peak_rss_mb: Math.max(...samples.map((s) => s.rssMb)),
    };
    report.load = { summary, samples };
    console.log("load:", JSON.stringify(summary));
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(secondHalf).toBeLessThanOrEqual(firstHalf * 1.25);
  }, (LOAD_SECONDS + 120) * 1000);

  it(`stays flat in memory and handles over a ${SOAK_MINUTES}-minute soak`, async () => {
    const { result, samples } = await drive(server, tokens, 50, SOAK_MINUTES * 60, 400);
    const minute = (from: number, to: number) => samples.filter((s) => s.s >= from && s.s < to);
    const early = minute(60, 120), late = minute(SOAK_MINUTES * 60 - 60, SOAK_MINUTES * 60);
    const summary = {
      requests: result.requests.total, p99_ms: result.latency.p99, errors: result.errors, non2xx: result.non2xx,
      rss_mb_minute_2: avg(early.map((s) => s.rssMb)), rss_mb_last_minute: avg(late.map((s) => s.rssMb)),
      fds_minute_2: avg(early.map((s) => s.fds)), fds_last_minute: avg(late.map((s) => s.fds)),
    };
    report.soak = { summary, curve: samples.filter((_, i) => i % 10 === 0) };
    console.log("soak:", JSON.stringify(summary));
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(summary.rss_mb_last_minute).toBeLessThanOrEqual(summary.rss_mb_minute_2 * 1.15);
    expect(summary.fds_last_minute).toBeLessThanOrEqual(summary.fds_minute_2 + 10);
  }, (SOAK_MINUTES * 60 + 120) * 1000);
});
