// How live streams are woken across server processes, under faults, on PostgreSQL with real
// processes: (a) with NIOTEBOOK_REDIS_URL set, the Redis wake-up path hung (SIGSTOP), then gone
// (SIGKILL), then back, while another process keeps writing: every event still reaches every
// stream through PostgreSQL while Redis is away, none twice, no reset; (b) NIOTEBOOK_WORKERS=auto:
// streams spread over the workers get every event, whichever worker wrote it, within the
// contract's 1 s of the write's answer (the safety poll alone would take up to 2 s, so a broken
// cross-worker wake-up fails this).
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { ResumingClient, SseClient } from "../support/sse.js";
import {
  createTestDatabase, freePort, httpRequest, registerUser, startServerProcess, TEST_JWT_SECRET, type ServerProcess,
} from "../support/server-process.js";

const adminUrl = process.env.NIOTEBOOK_TEST_DB_URL;
if (!adminUrl) console.warn("NOTICE: stream wake-up fault tests skipped: set NIOTEBOOK_TEST_DB_URL to a PostgreSQL server");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A private redis-server for one test (the machine's shared one must not be stopped). */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    const ok = await probe.connect().then(() => probe.ping()).then(() => true, () => false);
    probe.disconnect();
    if (ok) return child;
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not start");
}

/** `count` posts through `url`, one connection each (so that workers take turns); ids and answer times, in order. */
async function writePosts(url: string, token: string, count: number, label: string, everyMs = 50) {
  const written: Array<{ id: string; answeredAt: number }> = [];
  for (let i = 0; i < count; i++) {
    const res = await httpRequest(`${url}/api/v1/posts`, {
      method: "POST", body: JSON.stringify({ content: `${label} ${i}` }),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", connection: "close" },
    });
    expect(res.status, res.body).toBe(201);
    written.push({ id: JSON.parse(res.body).post.id as string, answeredAt: Date.now() });
    await sleep(everyMs);
  }
  return written;
}

const postIds = (events: Array<{ event: string; data: unknown }>) =>
  events.filter((e) => e.event === "post").map((e) => (e.data as { id: string }).id);

async function waitFor(check: () => boolean, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check() && Date.now() < deadline) await sleep(50);
}

describe.skipIf(!adminUrl)("live stream wake-ups under faults", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  async function start(env: Record<string, string>): Promise<ServerProcess> {
    const server = await startServerProcess({ NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET, ...env });
    cleanups.push(() => { server.child.kill("SIGKILL"); return server.exited; });
    return server;
  }

  it("Redis hung, then gone, then back while posts keep coming: every event still reaches every stream, once, in order", async () => {
    const db = await createTestDatabase(adminUrl!);
    cleanups.push(db.drop);
    const redisPort = await freePort();
    let redis = await startRedis(redisPort);
    cleanups.push(async () => { redis.kill("SIGKILL"); });
    const env = { NIOTEBOOK_DB_URL: db.url, NIOTEBOOK_REDIS_URL: `redis://127.0.0.1:${redisPort}` };
    const a = await start(env);
    const b = await start(env);
    const author = await registerUser(b.url, "redisgonewriter");
    const readers = await Promise.all([0, 1, 2].map((i) => registerUser(a.url, `redisgonereader${i}`)));
    const clients = Array.from({ length: 6 }, (_, i) =>
      new ResumingClient(() => [`${a.url}/api/v1/stream?timeline=global`], readers[i % 3]!.tokens.access_token));
    cleanups.push(() => Promise.all(clients.map((c) => c.stop())));
    await waitFor(() => clients.every((c) => c.lastId !== undefined), 30_000);
    expect(clients.every((c) => c.lastId !== undefined)).toBe(true);

    // The Redis path is in use before it goes: a write's answer publishes a wake-up there.
    const listener = new Redis({ port: redisPort, maxRetriesPerRequest: 0 });
    listener.on("error", () => {});
    cleanups.push(async () => listener.disconnect());
    let published = 0;
    listener.on("message", () => published++);
    await listener.subscribe("niotebook:events");
    const written = await writePosts(b.url, author.tokens.access_token, 5, "with redis");
    await waitFor(() => published > 0, 10_000);
    expect(published).toBeGreaterThan(0);

    const phase = async (label: string) => {
      written.push(...await writePosts(b.url, author.tokens.access_token, 20, label));
      const ids = written.map((w) => w.id);
      await waitFor(() => clients.every((c) => postIds(c.events).length >= ids.length), 20_000);
      for (const c of clients) {
        expect(postIds(c.events), `${label}: statuses ${c.statuses.join(",")}`).toEqual(ids);
        expect(c.resets).toBe(0);
      }
    };
    // Hung: connections stay open and nothing answers.
    redis.kill("SIGSTOP");
    await phase("redis stopped");
    // Gone: connections refused.
    redis.kill("SIGKILL");
    await new Promise((r) => redis.once("exit", r));
    await phase("redis killed");
    // Back on the same port: the processes reconnect and carry on.
    redis = await startRedis(redisPort);
    await phase("redis back");

    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  });

  it("NIOTEBOOK_WORKERS=auto: streams on every worker get every event within 1 s, whichever worker wrote it", async () => {
    const db = await createTestDatabase(adminUrl!);
    cleanups.push(db.drop);
    // JSON log lines carry each worker's pid: they show which worker answered what.
    const server = await start({ NIOTEBOOK_DB_URL: db.url, NIOTEBOOK_WORKERS: "auto", NIOTEBOOK_LOG_FORMAT: "json" });
    const workers = availableParallelism();
    const authors = await Promise.all([0, 1].map((i) => registerUser(server.url, `autoworkerwriter${i}`)));
    const readers = await Promise.all([0, 1, 2, 3].map((i) => registerUser(server.url, `autoworkerreader${i}`)));
    // Each stream on its own connection: the workers take turns accepting them.
    const arrivals: Array<Map<string, number>> = [];
    const streams = await Promise.all(Array.from({ length: 4 * workers }, (_, i) => {
      const seen = new Map<string, number>();
      arrivals.push(seen);
      return SseClient.open(`${server.url}/api/v1/stream?timeline=global`, readers[i % 4]!.tokens.access_token, undefined, (e) => {
        if (e.event === "post") seen.set((e.data as { id: string }).id, Date.now());
      });
    }));
    cleanups.push(async () => { for (const s of streams) s.close(); });
    for (const s of streams) await s.until((c) => c.named("ready").length === 1, 30_000);

    const written = [];
    for (let i = 0; i < 10; i++) {
      written.push(...await writePosts(server.url, authors[i % 2]!.tokens.access_token, 2, `auto ${i}`, 100));
    }
    const ids = written.map((w) => w.id);
    await waitFor(() => streams.every((s) => s.named("post").length >= ids.length), 20_000);

    const pidsOf = (method: string, path: string) => new Set(server.output().split("\n").flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { pid?: number; method?: string; path?: string };
        return entry.method === method && entry.path === path && entry.pid ? [entry.pid] : [];
      } catch {
        return [];
      }
    }));
    // The writes were answered by every worker (one core: one worker, and this is all it can show).
    expect(pidsOf("POST", "/api/v1/posts").size).toBe(workers);
    for (const [k, s] of streams.entries()) {
      expect(s.ended).toBe(false);
      expect(postIds(s.events)).toEqual(ids);
      const late = written.filter((w) => arrivals[k]!.get(w.id)! - w.answeredAt > 1_000);
      expect(late.map((w) => `${w.id}: ${arrivals[k]!.get(w.id)! - w.answeredAt} ms`)).toEqual([]);
    }
    for (const s of streams) s.close();
    // The streams were held by every worker too (their log lines are written as they end).
    await waitFor(() => pidsOf("GET", "/api/v1/stream").size >= workers, 10_000);
    expect(pidsOf("GET", "/api/v1/stream").size).toBe(workers);
  });
});
