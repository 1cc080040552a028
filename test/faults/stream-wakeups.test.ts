// How live streams are woken across server processes, under faults, on PostgreSQL with real
// processes: (a) with NIOTEBOOK_REDIS_URL set, the Redis wake-up path hung (SIGSTOP), then gone
// (SIGKILL), then back, while another process keeps writing: every event still reaches every
// stream through PostgreSQL while Redis is away, none twice, no reset; (b) NIOTEBOOK_WORKERS=auto:
// streams spread over the workers get every event, whichever worker wrote it, within the
// contract's 1 s of the write's answer (the safety poll alone would take up to 2 s, so a broken
// cross-worker wake-up fails this).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
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

/**
 * Established connections to `port` held by each child process of `primary` (the cluster's
 * workers), read from /proc: a stream leaves no log line, and nothing in its answer names the
 * worker that holds it.
 */
function connectionsOfWorkers(primary: number, port: number): Map<string, Set<string>> {
  const established = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local address "ADDR:PORT" in hex, state 01 = ESTABLISHED, inode in column 10.
      if (f.length > 9 && parseInt(f[1]!.split(":")[1]!, 16) === port && f[3] === "01") established.add(f[9]!);
    }
  }
  const workers = readdirSync("/proc").filter((name) => /^\d+$/.test(name)).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === primary;
    } catch {
      return false;
    }
  });
  return new Map(workers.map((pid) => {
    const held = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && established.has(m[1]!)) held.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
    return [pid, held];
  }));
}

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
    const author = await registerUser(b.url, "rgwriter");
    const readers = await Promise.all([0, 1, 2].map((i) => registerUser(a.url, `rgreader${i}`)));
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
    const authors = await Promise.all([0, 1].map((i) => registerUser(server.url, `awwriter${i}`)));
    const readers = await Promise.all([0, 1, 2, 3].map((i) => registerUser(server.url, `awreader${i}`)));
    // Each stream holds a connection, and the workers take turns accepting connections.
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
    // The streams were held by every worker too: the connections that close with them, per
    // worker (fetch may have put a stream on a sign-up's kept-alive connection: counting the
    // connections that appear would miss it).
    const port = Number(new URL(server.url).port);
    const open = connectionsOfWorkers(server.child.pid!, port);
    const total = (m: Map<string, Set<string>>) => [...m.values()].reduce((n, held) => n + held.size, 0);
    for (const s of streams) s.close();
    await waitFor(() => total(connectionsOfWorkers(server.child.pid!, port)) <= total(open) - streams.length, 10_000);
    const after = connectionsOfWorkers(server.child.pid!, port);
    const held = [...open].map(([pid, inodes]) => [...inodes].filter((i) => !after.get(pid)?.has(i)).length);
    expect(held.length).toBe(workers);
    expect(held.reduce((a, b) => a + b, 0)).toBe(streams.length);
    expect(held.every((n) => n > 0), JSON.stringify(held)).toBe(true);
  });
});
