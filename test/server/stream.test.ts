// GET /api/v1/stream over a real listening server, read as a client reads it (fetch's
// streaming body): ready first, live events within a second, exact replay after
// Last-Event-ID, reset for an unknown id, the per-user cap, pings, the backlog limit, ending
// on revocation, and two app instances on one PostgreSQL database.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { follow } from "../../src/server/social/follows.js";
import { like, repost, unrepost } from "../../src/server/social/likes.js";
import { publishPost } from "../../src/server/social/publish.js";
import { block, mute } from "../../src/server/safety/queries.js";
import { FEW_VIEWERS } from "../../src/server/live/hub.js";
import { SseClient } from "../support/sse.js";
import { BACKENDS, eventually, signUp, startTestServer, type TestServer } from "./harness.js";

async function listen(server: TestServer): Promise<string> {
  await server.app.listen({ host: "127.0.0.1", port: 0 });
  const address = server.app.server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return `http://127.0.0.1:${address.port}/api/v1/stream`;
}

async function post(server: TestServer, authorId: string, content: string, replyToId?: string) {
  const result = await publishPost(server.ctx.db, { authorId, content, ...(replyToId ? { replyToId } : {}) });
  if (!result?.created) throw new Error("not published");
  return result.post;
}

describe.each(BACKENDS)("stream (%s)", (backend) => {
  let server: TestServer;
  let url: string;
  const open: SseClient[] = [];
  const connect = async (token: string, query = "", lastEventId?: string) => {
    const client = await SseClient.open(`${url}${query}`, token, lastEventId);
    open.push(client);
    return client;
  };
  beforeAll(async () => {
    server = await startTestServer(backend, { NIOTEBOOK_STREAM_PING: "300ms" });
    url = await listen(server);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await server?.close();
  });

  it("blocks (either way) and mutes keep posts off the reader's stream", async () => {
    const [reader, blocked, blocker, muted, other] = [await signUp(server.app), await signUp(server.app), await signUp(server.app), await signUp(server.app), await signUp(server.app)];
    const id = (u: typeof reader) => u.auth.user.id;
    await block(server.ctx.db, id(reader), id(blocked));
    await block(server.ctx.db, id(blocker), id(reader));
    await mute(server.ctx.db, id(reader), id(muted));
    const global = await connect(reader.auth.tokens.access_token, "?timeline=global");
    await global.until((s) => s.events.length >= 1);
    for (const author of [blocked, blocker, muted]) await post(server, id(author), "not for the reader");
    const shown = await post(server, id(other), "for everyone");
    await global.until((s) => s.named("post").some((e) => (e.data as { id: string }).id === shown.id), 2_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(global.named("post").map((e) => (e.data as { author: { id: string } }).author.id)).toEqual([id(other)]);
  });

  it("with many streams, who follows, blocks and mutes an author is read from the authors' side, or the streams' for a much-followed one", async () => {
    // As if more than FEW_VIEWERS users had streams here.
    server.app.live.fewViewers = 0;
    try {
      const db = server.ctx.db;
      const users = [];
      for (let i = 0; i < 7; i++) users.push(await signUp(server.app));
      const [reader, small, big, mutedSmall, mutedBig, stranger, blocker] = users as [typeof users[0], ...typeof users];
      const id = (u: typeof reader) => u.auth.user.id;
      for (const u of [small, big, mutedSmall, mutedBig, blocker]) await follow(db, id(reader), id(u!));
      await mute(db, id(reader), id(mutedSmall!));
      await mute(db, id(reader), id(mutedBig!));
      await block(db, id(blocker!), id(reader));
      // Five more users with streams here: more than the first batches' authors have followers.
      for (let i = 0; i < 5; i++) {
        const watcher = await connect((await signUp(server.app)).auth.tokens.access_token);
        await watcher.until((s) => s.named("ready").length === 1);
      }
      // More followers than users with streams here: posts by these two take the streams' side.
      const fans = server.app.live.metrics().openStreams + 5;
      const prefix = `fan${Math.random().toString(36).slice(2, 8)}`;
      await sql`INSERT INTO users (username, email, password_hash, display_name)
        SELECT ${prefix} || g, ${prefix} || g || '@example.com', 'x', 'fan' FROM generate_series(1, ${fans}::int) g`.execute(db);
      for (const target of [big, mutedBig]) {
        await sql`INSERT INTO follows (follower_id, followee_id) SELECT id, ${id(target!)}::uuid FROM users WHERE username LIKE ${`${prefix}%`}`.execute(db);
      }
      const home = await connect(reader.auth.tokens.access_token);
      await home.until((s) => s.named("ready").length === 1);
      const authorsSeen = () => home.named("post").map((e) => (e.data as { author: { id: string } }).author.id);
      // Batches of little-followed authors only (the authors' side), then of much-followed ones.
      for (const author of [small, mutedSmall, stranger, blocker, reader]) await post(server, id(author!), "few followers");
      await home.until((s) => s.named("post").length >= 2);
      for (const author of [big, mutedBig, reader]) await post(server, id(author!), "many followers");
      await home.until((s) => s.named("post").length >= 4);
      await new Promise((r) => setTimeout(r, 200));
      expect(authorsSeen()).toEqual([id(small!), id(reader), id(big!), id(reader)]);
    } finally {
      server.app.live.fewViewers = FEW_VIEWERS;
    }
  });

  it("ready first, then live posts within a second; home and global differ", async () => {
    const a = await signUp(server.app);
    const b = await signUp(server.app);
    const c = await signUp(server.app);
    await follow(server.ctx.db, a.auth.user.id, b.auth.user.id);
    const home = await connect(a.auth.tokens.access_token);
    const global = await connect(a.auth.tokens.access_token, "?timeline=global");
    expect(home.status).toBe(200);
    await home.until((s) => s.events.length >= 1);
    expect(home.events[0]!.event).toBe("ready");
    expect(home.events[0]!.id).toMatch(/^\d+$/);
    const started = Date.now();
    const fromB = await post(server, b.auth.user.id, "from b");
    const fromC = await post(server, c.auth.user.id, "from c");
    await home.until((s) => s.named("post").length >= 1, 1_000);
    await global.until((s) => s.named("post").length >= 2, 1_000);
    expect(Date.now() - started).toBeLessThan(1_500);
    // Home: only the followed author; global: both, in order.
    await new Promise((r) => setTimeout(r, 200));
    expect(home.named("post").map((e) => (e.data as { id: string }).id)).toEqual([fromB.id]);
    expect(global.named("post").map((e) => (e.data as { id: string }).id)).toEqual([fromB.id, fromC.id]);
    const shown = home.named("post")[0]!.data as { content: string; author: { id: string }; tags: unknown[] };
    expect(shown.content).toBe("from b");
    expect(shown.author.id).toBe(b.auth.user.id);

    // A repost by b of c's post is a home entry (c is not followed), never a global one.
    const r = await repost(server.ctx.db, b.auth.user.id, fromC.id);
    expect(r).toBeTruthy();
    await home.until((s) => s.named("post").length >= 2, 1_000);
    const entry = home.named("post")[1]!.data as { id: string; repost: { by: { id: string } } };
    expect(entry.id).toBe(fromC.id);
    expect(entry.repost.by.id).toBe(b.auth.user.id);
    await unrepost(server.ctx.db, b.auth.user.id, fromC.id);
    await home.until((s) => s.named("delete").length >= 1, 1_000);
    expect(home.named("delete")[0]!.data).toEqual({ id: fromC.id, repost_by: b.auth.user.id });
    // Ids increase.
    const ids = home.events.map((e) => BigInt(e.id!));
    expect([...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))).toEqual(ids);
    expect(global.named("post")).toHaveLength(2);
  });

  it("replays exactly the missed events in order after Last-Event-ID; unknown ids get one reset", async () => {
    const a = await signUp(server.app);
    const b = await signUp(server.app);
    await follow(server.ctx.db, a.auth.user.id, b.auth.user.id);
    const first = await connect(a.auth.tokens.access_token);
    await first.until((s) => s.named("ready").length === 1);
    const mine = await post(server, a.auth.user.id, "mine");
    await first.until((s) => s.named("post").length === 1);
    const resumeFrom = first.lastId!;
    first.close();
    // Missed: b posts twice, likes a's post (a notification), deletes one post.
    const p1 = await post(server, b.auth.user.id, "missed 1");
    await like(server.ctx.db, b.auth.user.id, mine.id);
    const p2 = await post(server, b.auth.user.id, "missed 2");
    await sql`DELETE FROM posts WHERE id = ${p1.id}::uuid`.execute(server.ctx.db);
    const again = await connect(a.auth.tokens.access_token, "", resumeFrom);
    await again.until((s) => s.events.length >= 4);
    await new Promise((r) => setTimeout(r, 300));
    const seen = again.events.filter((e) => e.event !== "ready");
    expect(again.events[0]!.event).toBe("ready");
    expect(again.events[0]!.id).toBe(resumeFrom);
    // p1 was deleted before the replay: its post event is skipped, its delete is not.
    expect(seen.map((e) => e.event)).toEqual(["notification", "post", "delete"]);
    expect((seen[0]!.data as { type: string; post: { id: string } }).type).toBe("like");
    expect((seen[1]!.data as { id: string }).id).toBe(p2.id);
    expect(seen[2]!.data).toEqual({ id: p1.id });
    // Live after the replay, nothing twice.
    const p3 = await post(server, b.auth.user.id, "live");
    await again.until((s) => s.named("post").some((e) => (e.data as { id: string }).id === p3.id), 1_000);
    expect(new Set(again.events.map((e) => e.id)).size).toBe(again.events.length);

    const unknown = await connect(a.auth.tokens.access_token, "", "99999999999");
    await unknown.until((s) => s.events.length >= 2);
    expect(unknown.events.map((e) => e.event)).toEqual(["ready", "reset"]);
    const junk = await connect(a.auth.tokens.access_token, "", "not-an-id");
    await junk.until((s) => s.events.length >= 2);
    expect(junk.events.map((e) => e.event)).toEqual(["ready", "reset"]);
  });

  it("a ninth stream of one user is 429 rate_limited; pings keep a quiet stream alive", async () => {
    const a = await signUp(server.app);
    const streams = await Promise.all(Array.from({ length: 8 }, () => connect(a.auth.tokens.access_token)));
    expect(streams.map((s) => s.status)).toEqual(Array(8).fill(200));
    const ninth = await connect(a.auth.tokens.access_token);
    expect(ninth.status).toBe(429);
    expect(JSON.parse(ninth.body).error.code).toBe("rate_limited");
    await streams[0]!.until((s) => s.comments >= 2, 2_000);
    streams[0]!.close();
    await new Promise((r) => setTimeout(r, 200));
    const replacement = await connect(a.auth.tokens.access_token);
    expect(replacement.status).toBe(200);
    for (const s of streams) s.close();
    replacement.close();
  });

  it("ends within a second when the user's tokens are revoked or the user is deleted", async () => {
    const a = await signUp(server.app);
    const stream = await connect(a.auth.tokens.access_token);
    await stream.until((s) => s.named("ready").length === 1);
    await sql`SELECT pg_notify('niotebook_tokens_revoked', ${a.auth.user.id})`.execute(server.ctx.db);
    await stream.until((s) => s.ended, 1_000);
    const b = await signUp(server.app);
    const other = await connect(b.auth.tokens.access_token);
    await other.until((s) => s.named("ready").length === 1);
    await sql`DELETE FROM users WHERE id = ${b.auth.user.id}::uuid`.execute(server.ctx.db);
    await other.until((s) => s.ended, 1_000);
  });

  it("closes a stream whose client stops reading past the backlog limit", async () => {
    server.app.live.backlogBytes = 16 * 1024;
    const a = await signUp(server.app);
    const slow = await connect(a.auth.tokens.access_token, "?timeline=global");
    await slow.until((s) => s.named("ready").length === 1);
    slow.paused = true;
    // Enough events in one statement to fill the socket's buffers several times over.
    await sql`INSERT INTO posts (author_id, content) SELECT ${a.auth.user.id}::uuid, 'filler ' || g || repeat('x', 120)
      FROM generate_series(1, 12000) g`.execute(server.ctx.db);
    await eventually(() => expect(server.app.live.streamsOf(a.auth.user.id)).toBe(0), 30_000);
    slow.paused = false;
    await slow.until((s) => s.ended, 10_000);
    expect(slow.named("post").length).toBeLessThan(12000);
    server.app.live.backlogBytes = 256 * 1024;
  }, 60_000);
});

describe.runIf(process.env.NIOTEBOOK_TEST_DB_URL)("stream across two app instances on one PostgreSQL database", () => {
  it("an event written through one instance reaches a stream held by the other", async () => {
    const one = await startTestServer("postgres");
    const two = await startTestServer("embedded", { NIOTEBOOK_DB_URL: one.ctx.config.dbUrl! });
    try {
      await listen(one);
      const url2 = await listen(two);
      const a = await signUp(one.app);
      const stream = await SseClient.open(`${url2}?timeline=global`, a.auth.tokens.access_token);
      await stream.until((s) => s.named("ready").length === 1);
      const res = await (await import("./harness.js")).signUp(one.app);
      const written = await post(one, res.auth.user.id, "across hosts");
      await stream.until((s) => s.named("post").some((e) => (e.data as { id: string }).id === written.id), 1_000);
      stream.close();
    } finally {
      await two.close();
      await one.close();
    }
  });
});

describe.each(BACKENDS)("stream lifetime and retention (%s)", (backend) => {
  it("ends when the access token expires, and cleanly on SIGTERM's drain; a notification arrives live", async () => {
    const server = await startTestServer(backend, { NIOTEBOOK_ACCESS_TOKEN_TTL: "2s" });
    try {
      const url = await listen(server);
      const a = await signUp(server.app);
      const b = await signUp(server.app);
      const stream = await SseClient.open(url, a.auth.tokens.access_token);
      await stream.until((s) => s.named("ready").length === 1);
      await follow(server.ctx.db, b.auth.user.id, a.auth.user.id);
      await stream.until((s) => s.named("notification").length === 1, 1_000);
      const note = stream.named("notification")[0]!.data as { type: string; actor: { id: string }; read: boolean };
      expect([note.type, note.actor.id, note.read]).toEqual(["follow", b.auth.user.id, false]);
      await stream.until((s) => s.ended, 4_000);

      const fresh = await signUp(server.app);
      const other = await SseClient.open(url, fresh.auth.tokens.access_token);
      await other.until((s) => s.named("ready").length === 1);
      const closing = server.app.drainAndClose();
      await other.until((s) => s.ended, 1_000);
      await closing;
      expect(server.app.live.metrics().openStreams).toBe(0);
    } finally {
      await server.close().catch(() => {});
    }
  });

  it("keeps 10 minutes and the last 1,000 events; an id below what cleanup removed gets a reset", async () => {
    const server = await startTestServer(backend);
    try {
      const url = await listen(server);
      const a = await signUp(server.app);
      const db = server.ctx.db;
      await sql`INSERT INTO posts (author_id, content) SELECT ${a.auth.user.id}::uuid, 'old ' || g FROM generate_series(1, 1100) g`.execute(db);
      const { pruneEvents } = await import("../../src/server/live/events.js");
      // All recent: nothing goes.
      expect(await pruneEvents(db)).toBe(0);
      await sql`UPDATE events SET created_at = now() - interval '11 minutes'`.execute(db);
      const ids = await sql<{ min: string; max: string }>`SELECT min(id)::text AS min, max(id)::text AS max FROM events`.execute(db);
      const [min, max] = [BigInt(ids.rows[0]!.min), BigInt(ids.rows[0]!.max)];
      // Old, but the newest 1,000 stay.
      expect(await pruneEvents(db)).toBe(Number(max - min + 1n) - 1000);
      const left = await sql<{ n: string }>`SELECT count(*)::text AS n FROM events`.execute(db);
      expect(left.rows[0]!.n).toBe("1000");
      const stale = await SseClient.open(url, a.auth.tokens.access_token, String(min));
      await stale.until((s) => s.events.length >= 2);
      expect(stale.events.map((e) => e.event)).toEqual(["ready", "reset"]);
      stale.close();
      // The oldest id still resumable replays the rest (home: a's own posts), in order.
      const from = String(max - 1000n);
      const resumed = await SseClient.open(url, a.auth.tokens.access_token, from);
      await resumed.until((s) => s.named("post").length === 1000, 10_000);
      expect(resumed.events[0]).toMatchObject({ event: "ready", id: from });
      const got = resumed.named("post").map((e) => BigInt(e.id!));
      expect(got[0]).toBe(max - 999n);
      expect(got[999]).toBe(max);
      resumed.close();
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe.runIf(process.env.NIOTEBOOK_TEST_REDIS_URL)("stream wake-ups through Redis", () => {
  it("a write's answer publishes a wake-up on Redis, and streams deliver with Redis configured", async () => {
    const redisUrl = process.env.NIOTEBOOK_TEST_REDIS_URL!;
    const server = await startTestServer(BACKENDS[0]!, { NIOTEBOOK_REDIS_URL: redisUrl });
    const { Redis } = await import("ioredis");
    const sub = new Redis(redisUrl);
    const pub = new Redis(redisUrl);
    try {
      const url = await listen(server);
      const messages: string[] = [];
      await sub.subscribe("niotebook:events");
      sub.on("message", (channel) => messages.push(channel));
      const a = await signUp(server.app);
      await eventually(() => expect(messages.length).toBeGreaterThan(0));
      const stream = await SseClient.open(`${url}?timeline=global`, a.auth.tokens.access_token);
      await stream.until((s) => s.named("ready").length === 1);
      await post(server, a.auth.user.id, "woken by redis");
      await pub.publish("niotebook:events", "");
      await stream.until((s) => s.named("post").length === 1, 1_000);
      stream.close();
    } finally {
      sub.disconnect();
      pub.disconnect();
      await server.close();
    }
  });
});
