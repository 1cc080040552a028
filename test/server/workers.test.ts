// NIOTEBOOK_WORKERS: several processes on one port share the rate limits (in Redis) and the
// timeline's freshness (in PostgreSQL), refuse configurations that could not be correct, and
// stop together on SIGTERM.
import { Redis } from "ioredis";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { RedisTokenBuckets } from "../../src/server/http/redis-rate-limit.js";
import {
  createTestDatabase, httpRequest, registerUser, runServerCommand, startServerProcess, TEST_JWT_SECRET,
} from "../support/server-process.js";

const pgUrl = process.env.NIOTEBOOK_TEST_DB_URL;
const redisUrl = process.env.NIOTEBOOK_TEST_REDIS_URL;

describe("worker configuration", () => {
  it("refuses several workers on the embedded database, and with limits on but no Redis", () => {
    const embedded = runServerCommand([], { NIOTEBOOK_WORKERS: "2", NIOTEBOOK_DB_URL: "", NIOTEBOOK_DATA_DIR: "/nonexistent/x" });
    expect(embedded.status).toBe(2);
    expect(embedded.stderr).toContain("needs PostgreSQL");
    const noRedis = runServerCommand([], {
      NIOTEBOOK_WORKERS: "auto", NIOTEBOOK_DB_URL: "postgres://127.0.0.1:1/x", NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET, NIOTEBOOK_RATE_LIMIT: "on", NIOTEBOOK_REDIS_URL: "",
    });
    expect(noRedis.status).toBe(2);
    expect(noRedis.stderr).toContain("NIOTEBOOK_REDIS_URL");
    expect(runServerCommand([], { NIOTEBOOK_WORKERS: "lots" }).stderr).toContain("NIOTEBOOK_WORKERS");
  });
});

if (!pgUrl || !redisUrl) console.warn("NOTICE: multi-worker test skipped: needs NIOTEBOOK_TEST_DB_URL and NIOTEBOOK_TEST_REDIS_URL");

describe.skipIf(!pgUrl || !redisUrl)("two workers on PostgreSQL with Redis", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it("share one rate-limit bucket per client, keep the timeline fresh, and stop together", async () => {
    // Start from full buckets: forget what earlier runs left in Redis.
    const redis = new Redis(redisUrl!);
    const keys = await redis.keys("niotebook:rl:*");
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    const db = await createTestDatabase(pgUrl!);
    cleanups.push(db.drop);
    const server = await startServerProcess({
      NIOTEBOOK_DB_URL: db.url, NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET, NIOTEBOOK_WORKERS: "2",
      NIOTEBOOK_RATE_LIMIT: "x10", NIOTEBOOK_REDIS_URL: redisUrl!,
    });
    cleanups.push(() => server.stop());
    const { tokens } = await registerUser(server.url, "worker_user");
    const headers = { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" };

    // Each request on a fresh connection, so the workers take turns answering.
    for (let i = 0; i < 20; i++) {
      const created = await httpRequest(`${server.url}/api/v1/posts`, { method: "POST", headers: { ...headers, connection: "close" }, body: JSON.stringify({ content: `from worker test ${i}` }) });
      expect(created.status).toBe(201);
      const id = JSON.parse(created.body).post.id as string;
      const page = await httpRequest(`${server.url}/api/v1/timeline?limit=1`, { headers: { ...headers, connection: "close" } });
      expect(JSON.parse(page.body).posts[0].id).toBe(id);
    }

    // The auth bucket (burst 5 × 10 here) is shared: some of 80 quick attempts are refused.
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) {
      const res = await httpRequest(`${server.url}/api/v1/auth/logout`, { method: "POST", headers: { "content-type": "application/json", connection: "close" }, body: '{"refresh_token":"x"}' });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.slice(0, 40).every((s) => s === 204)).toBe(true);

    expect(await server.stop()).toBe(0);
  }, 180_000);
});

describe.skipIf(!redisUrl)("rate limits in Redis when Redis goes silent", () => {
  it("let requests through, and stop asking Redis for a while instead of waiting 250 ms on each", async () => {
    // A proxy to the real Redis that can be made to swallow everything, as a dead peer does.
    const target = new URL(redisUrl!);
    let silent = false;
    let commandsWhileSilent = 0;
    const proxy = createServer((socket) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      socket.on("data", (chunk) => (silent ? commandsWhileSilent++ : upstream.write(chunk)));
      upstream.on("data", (chunk) => silent || socket.write(chunk));
      const end = () => { socket.destroy(); upstream.destroy(); };
      socket.on("error", end).on("close", end);
      upstream.on("error", end).on("close", end);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const errors: Error[] = [];
    const limiter = new RedisTokenBuckets(`redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`, 1, (e) => errors.push(e));
    try {
      const client = `silence-test-${process.pid}-${Date.now()}`;
      // Until the connection is up requests are let through; then Redis holds the bucket (burst 5).
      let refused = false;
      for (let i = 0; i < 200 && !refused; i++) {
        refused = !(await limiter.take(client, "auth")).ok;
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(refused).toBe(true);
      silent = true;
      expect((await limiter.take(client, "auth")).ok).toBe(true); // waited for Redis, then let through
      const asked = commandsWhileSilent;
      expect(asked).toBeGreaterThan(0);
      for (let i = 0; i < 20; i++) expect((await limiter.take(client, "auth")).ok).toBe(true);
      expect(commandsWhileSilent).toBe(asked); // none of those asked Redis
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await limiter.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("limit again once Redis answers, even when the connection that went silent is never closed", async () => {
    // Connections open when the stall begins swallow everything for good; new ones work (a
    // fail-over, or a NAT that forgot the connection: nothing ever closes it).
    const target = new URL(redisUrl!);
    const stalled = new Set<Socket>();
    const sockets: Socket[] = [];
    const proxy = createServer((socket) => {
      sockets.push(socket);
      const upstream = connect(Number(target.port || 6379), target.hostname);
      socket.on("data", (chunk) => stalled.has(socket) || upstream.write(chunk));
      upstream.on("data", (chunk) => stalled.has(socket) || socket.write(chunk));
      const end = () => { socket.destroy(); upstream.destroy(); };
      socket.on("error", end).on("close", end);
      upstream.on("error", end).on("close", end);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const limiter = new RedisTokenBuckets(`redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`, 1, () => {});
    const refusedWithin = async (ms: number): Promise<boolean> => {
      for (const deadline = Date.now() + ms; Date.now() < deadline;) {
        if (!(await limiter.take(client, "auth")).ok) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    };
    const client = `stall-test-${process.pid}-${Date.now()}`;
    try {
      expect(await refusedWithin(3_000)).toBe(true);
      for (const socket of sockets) stalled.add(socket);
      expect((await limiter.take(client, "auth")).ok).toBe(true); // let through while it cannot tell
      expect(await refusedWithin(6_000)).toBe(true); // and limiting again on a new connection
    } finally {
      await limiter.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
