// Blocks, mutes, reports and search over HTTP, on both databases (social.md, "Search" and
// "Blocks, mutes and reports"; paging as "Lists and paging").
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { follow } from "../../src/server/social/follows.js";
import { publishPost } from "../../src/server/social/publish.js";
import { block } from "../../src/server/safety/queries.js";
import { SafetyReaders, filteredTimelinePage, readerTimelinePage, safetyReaders } from "../../src/server/safety/reader-filter.js";
import { timelinePage } from "../../src/server/timeline/queries.js";
import { BACKENDS, errorOf, signUp, startTestServer, type TestClient, type TestServer } from "./harness.js";
import { makeUsers } from "./social-helpers.js";

interface Who { client: TestClient; id: string; username: string }

describe.each(BACKENDS)("blocks, mutes, reports and search on %s", (backend) => {
  let server: TestServer;
  let alice: Who, bob: Who, carol: Who;
  const who = async (name: string): Promise<Who> => {
    const made = await signUp(server.app, `${name}${backend.slice(0, 2)}${Math.floor(Math.random() * 1e6)}`);
    return { client: made.client, id: made.auth.user.id, username: made.auth.user.username };
  };
  const post = async (author: Who, content: string) => (await publishPost(server.ctx.db, { authorId: author.id, content }))!.post!;

  beforeAll(async () => {
    server = await startTestServer(backend);
    [alice, bob, carol] = [await who("alice"), await who("bob"), await who("carol")];
  }, 120_000);
  afterAll(() => server.close());

  it("block: 200 {user, relationship}, idempotent, ends follows both ways with exact counts; unblock", async () => {
    const db = server.ctx.db;
    await follow(db, alice.id, bob.id);
    await follow(db, bob.id, alice.id);
    for (let i = 0; i < 2; i++) {
      const res = await alice.client.post(`/api/v1/users/${bob.id}/block`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        user: expect.objectContaining({ id: bob.id, username: bob.username }),
        relationship: { following: false, followed_by: false, blocking: true, blocked_by: false, muting: false },
      });
    }
    const counts = await sql<{ id: string; followers_count: number; following_count: number }>`SELECT id, followers_count, following_count
      FROM users WHERE id IN (${alice.id}::uuid, ${bob.id}::uuid)`.execute(db);
    for (const row of counts.rows) expect([row.followers_count, row.following_count]).toEqual([0, 0]);
    const seen = await bob.client.post(`/api/v1/users/@${alice.username}/mute`);
    expect(seen.json().relationship).toEqual({ following: false, followed_by: false, blocking: false, blocked_by: true, muting: true });
    await bob.client.delete(`/api/v1/users/${alice.id}/mute`);
    for (let i = 0; i < 2; i++) {
      const res = await alice.client.delete(`/api/v1/users/${bob.id}/block`);
      expect(res.statusCode).toBe(200);
      expect(res.json().relationship.blocking).toBe(false);
    }
  });

  it("block and mute: yourself 400, unknown or malformed 404, no token 401", async () => {
    for (const kind of ["block", "mute"]) {
      for (const method of ["post", "delete"] as const) {
        for (const self of ["me", alice.id, `@${alice.username}`]) {
          const res = await alice.client[method](`/api/v1/users/${self}/${kind}`);
          expect(res.statusCode).toBe(400);
          expect(errorOf(res).code).toBe("validation_error");
        }
        for (const nobody of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "@nobody_here"]) {
          const res = await alice.client[method](`/api/v1/users/${nobody}/${kind}`);
          expect(res.statusCode).toBe(404);
          expect(errorOf(res).code).toBe("not_found");
        }
        expect((await alice.client.as(undefined)[method](`/api/v1/users/${bob.id}/${kind}`)).statusCode).toBe(401);
      }
    }
  });

  it("a follow and a block of one pair at once: no follow survives the block (20 rounds, both orders)", async () => {
    const db = server.ctx.db;
    const [a, b] = await makeUsers(db, "race", 2) as [string, string];
    for (let round = 0; round < 20; round++) {
      const blocker = round % 2 === 0 ? a : b;
      const other = blocker === a ? b : a;
      await sql`DELETE FROM blocks WHERE blocker_id IN (${a}::uuid, ${b}::uuid)`.execute(db);
      const results = await Promise.allSettled([follow(db, other, blocker), block(db, blocker, other), follow(db, blocker, other)]);
      expect(results[1].status).toBe("fulfilled");
      const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM follows
        WHERE follower_id IN (${a}::uuid, ${b}::uuid) AND followee_id IN (${a}::uuid, ${b}::uuid)`.execute(db);
      expect(left.rows[0]!.n).toBe(0);
      const counts = await sql<{ n: number }>`SELECT (followers_count + following_count)::int AS n FROM users WHERE id IN (${a}::uuid, ${b}::uuid)`.execute(db);
      expect(counts.rows.map((r) => r.n)).toEqual([0, 0]);
    }
  });

  it("/users/me/blocks and /mutes: most recent first, paged, cursors bound to the list and user", async () => {
    const db = server.ctx.db;
    const others = await makeUsers(db, "listed", 5);
    for (const id of others) expect((await carol.client.post(`/api/v1/users/${id}/mute`)).statusCode).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await carol.client.get(`/api/v1/users/me/mutes?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { users: Array<{ id: string }>; next_cursor: string | null; has_more: boolean };
      expect(page.next_cursor === null).toBe(!page.has_more);
      seen.push(...page.users.map((u) => u.id));
      cursor = page.next_cursor;
      if (cursor) {
        // Another list's cursor: 400 on cursor.
        const other = await carol.client.get(`/api/v1/users/me/blocks?cursor=${cursor}`);
        expect(other.statusCode).toBe(400);
        expect(errorOf(other).field).toBe("cursor");
        const otherUser = await bob.client.get(`/api/v1/users/me/mutes?cursor=${cursor}`);
        expect(errorOf(otherUser).field).toBe("cursor");
      }
    } while (cursor);
    expect(seen).toEqual([...others].reverse());
    expect((await carol.client.get("/api/v1/users/me/blocks")).json()).toEqual({ users: [], next_cursor: null, has_more: false });
    expect(errorOf(await carol.client.get("/api/v1/users/me/blocks?limit=0")).field).toBe("limit");
    for (const id of others) await carol.client.delete(`/api/v1/users/${id}/mute`);
  });

  it("reports: 201, a copy of the post's content survives its deletion; exactly one id; reason rules; 404", async () => {
    const db = server.ctx.db;
    const p = await post(bob, "something reportable");
    const res = await alice.client.post("/api/v1/reports", { post_id: p.id, reason: "  spam\n" });
    expect(res.statusCode).toBe(201);
    const { report } = res.json() as { report: { id: string; created_at: string } };
    expect(Object.keys(report).sort()).toEqual(["created_at", "id"]);
    await db.deleteFrom("posts").where("id", "=", p.id).execute();
    const stored = await sql<{ content: string; reason: string; reporter_id: string; user_id: string }>`SELECT content, reason, reporter_id, user_id
      FROM reports WHERE id = ${report.id}::uuid`.execute(db);
    expect(stored.rows[0]).toEqual({ content: "something reportable", reason: "spam", reporter_id: alice.id, user_id: bob.id });
    expect((await alice.client.post("/api/v1/reports", { user_id: bob.id, reason: "x" })).statusCode).toBe(201);

    const bad: Array<[unknown, string]> = [
      [{ reason: "r" }, "post_id"],
      [{ post_id: p.id, user_id: bob.id, reason: "r" }, "user_id"],
      [{ post_id: "nope", reason: "r" }, "post_id"],
      [{ user_id: "1234", reason: "r" }, "user_id"],
      [{ user_id: bob.id, reason: "   " }, "reason"],
      [{ user_id: bob.id, reason: "\u200B" }, "reason"],
      [{ user_id: bob.id, reason: "a\u0007b" }, "reason"],
      [{ user_id: bob.id, reason: "é".repeat(501) }, "reason"],
    ];
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM reports`.execute(db);
    for (const [body, field] of bad) {
      const r = await alice.client.post("/api/v1/reports", body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(r)).toMatchObject({ code: "validation_error", field });
    }
    expect((await alice.client.post("/api/v1/reports", { user_id: bob.id, reason: "é".repeat(500) })).statusCode).toBe(201);
    for (const body of [{ post_id: p.id, reason: "gone" }, { user_id: "00000000-0000-4000-8000-000000000000", reason: "who" }]) {
      const r = await alice.client.post("/api/v1/reports", body);
      expect(r.statusCode).toBe(404);
      expect(errorOf(r).code).toBe("not_found");
    }
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM reports`.execute(db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n + 1);
    expect((await alice.client.as(undefined).post("/api/v1/reports", { user_id: bob.id, reason: "x" })).statusCode).toBe(401);
  });

  it("search/posts: hits with the Post shape, paged newest first; blocks hide both ways, mutes for the muter", async () => {
    const word = `zebra${backend.slice(0, 2)}`;
    const [a1, b1, c1, a2] = [await post(alice, `${word} one`), await post(bob, `${word} two`), await post(carol, `${word} three`), await post(alice, `${word} four`)];
    const ids = async (client: TestClient, q = word) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await client.get(`/api/v1/search/posts?q=${encodeURIComponent(q)}&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
        expect(res.statusCode).toBe(200);
        const page = res.json() as { posts: Array<{ id: string }>; next_cursor: string | null; has_more: boolean };
        out.push(...page.posts.map((p) => p.id));
        cursor = page.next_cursor;
      } while (cursor);
      return out;
    };
    expect(await ids(carol.client)).toEqual([a2.id, c1.id, b1.id, a1.id]);
    const first = (await carol.client.get(`/api/v1/search/posts?q=${word}&limit=1`)).json();
    expect(first.posts[0]).toMatchObject({ id: a2.id, author_id: alice.id, author: { id: alice.id }, content: `${word} four`,
      reply_to_id: null, reply_to_user: null, like_count: 0, liked: false, mentions: [], tags: [] });
    // A cursor of another query is refused; so is a bad q.
    expect(errorOf(await carol.client.get(`/api/v1/search/posts?q=other&cursor=${first.next_cursor}`)).field).toBe("cursor");
    for (const q of ["", "-" + word, "x".repeat(201)]) {
      const r = await carol.client.get(`/api/v1/search/posts?q=${encodeURIComponent(q)}`);
      expect(r.statusCode).toBe(400);
      expect(errorOf(r).field).toBe("q");
    }
    expect(errorOf(await carol.client.get(`/api/v1/search/posts?q=${word}&limit=101`)).field).toBe("limit");

    await carol.client.post(`/api/v1/users/${alice.id}/block`);
    await bob.client.post(`/api/v1/users/${carol.id}/mute`);
    expect(await ids(carol.client)).toEqual([c1.id, b1.id]);     // carol blocked alice
    expect(await ids(alice.client)).toEqual([a2.id, b1.id, a1.id]); // and alice cannot see carol
    expect(await ids(bob.client)).toEqual([a2.id, b1.id, a1.id]);   // bob muted carol
    expect(await ids(carol.client, `from:${alice.username}`)).toEqual([]);
    await carol.client.delete(`/api/v1/users/${alice.id}/block`);
    await bob.client.delete(`/api/v1/users/${carol.id}/mute`);
    expect(await ids(bob.client)).toEqual([a2.id, c1.id, b1.id, a1.id]);
  });

  it("search/users: blocked either way hidden, muted shown; limit 1-50; empty q 400", async () => {
    const q = (client: TestClient, text: string, limit = "") =>
      client.get(`/api/v1/search/users?q=${encodeURIComponent(text)}${limit ? `&limit=${limit}` : ""}`);
    const names = async (client: TestClient, text: string) => ((await q(client, text)).json() as { users: Array<{ id: string }> }).users.map((u) => u.id);
    expect(await names(carol.client, bob.username)).toEqual([bob.id]);
    await bob.client.post(`/api/v1/users/${carol.id}/block`);
    await alice.client.post(`/api/v1/users/${bob.id}/mute`);
    expect(await names(carol.client, bob.username)).toEqual([]);
    expect(await names(bob.client, carol.username)).toEqual([]);
    expect(await names(alice.client, `@${bob.username}`)).toEqual([bob.id]);
    await bob.client.delete(`/api/v1/users/${carol.id}/block`);
    await alice.client.delete(`/api/v1/users/${bob.id}/mute`);
    for (const [text, limit, field] of [["", "", "q"], ["  ", "", "q"], ["a", "0", "limit"], ["a", "51", "limit"], ["a", "x", "limit"]]) {
      const r = await q(carol.client, text!, limit);
      expect(r.statusCode).toBe(400);
      expect(errorOf(r).field).toBe(field);
    }
    expect((await q(carol.client, "a", "50")).statusCode).toBe(200);
    expect((await carol.client.as(undefined).get("/api/v1/search/users?q=a")).statusCode).toBe(401);
  });

  it("global timeline filter: a reader with no block or mute needs none; one with some gets a filtered page", async () => {
    const db = server.ctx.db;
    const [r, quiet, loud] = await makeUsers(db, "reader", 3) as [string, string, string];
    await publishPost(db, { authorId: loud, content: "loud post" });
    await publishPost(db, { authorId: quiet, content: "quiet post" });
    const readers = safetyReaders(server.ctx);
    expect(await readTimeline(r)).toBeUndefined();
    // A change made through the routes invalidates the answer at once (read your writes).
    const token = await signUp(server.app);
    expect((await token.client.post(`/api/v1/users/${loud}/mute`)).statusCode).toBe(200);
    expect(await readers.needsFilter(token.auth.user.id)).toBe(true);
    expect(await readers.needsFilter(loud)).toBe(false); // a mute is private: the muted user needs no filter
    const page = (await readerTimelinePage(server.ctx, token.auth.user.id, undefined, 100))!;
    expect(page.map((p) => p.author_id)).not.toContain(loud);
    expect(page.map((p) => p.author_id)).toContain(quiet);
    // Same as the unfiltered timeline without the muted author, in the same order and shape.
    const all = await timelinePage(db, undefined, 100);
    expect(page).toEqual(all.filter((p) => p.author_id !== loud).slice(0, page.length));
    expect((await token.client.delete(`/api/v1/users/${loud}/mute`)).statusCode).toBe(200);
    expect(await readTimeline(token.auth.user.id)).toBeUndefined();
    // A block reaches both sides.
    await block(db, r, quiet);
    await readers.changed(r, quiet);
    expect((await filteredTimelinePage(db, quiet, undefined, 100)).map((p) => p.author_id)).not.toContain(r);
    expect(await readers.needsFilter(quiet)).toBe(true);
    async function readTimeline(viewer: string) { return readerTimelinePage(server.ctx, viewer, undefined, 50); }
  });

  it("reader filter with several processes: a change in one makes the others forget their answers", async () => {
    const db = server.ctx.db;
    const [x, y] = await makeUsers(db, "procs", 2) as [string, string];
    const [one, two] = [new SafetyReaders(db, true), new SafetyReaders(db, true)];
    expect(await one.needsFilter(x)).toBe(false);
    expect(await two.needsFilter(y)).toBe(false);
    await block(db, x, y);
    await two.changed(x, y);
    expect(await one.needsFilter(x)).toBe(true);
    expect(await one.needsFilter(y)).toBe(true);
    await sql`DELETE FROM blocks WHERE blocker_id = ${x}::uuid`.execute(db);
    await one.changed(x, y);
    expect(await two.needsFilter(x)).toBe(false);
  });

  it("notifications: a block (either way) hides the other's, a mute hides the muted's for the muter until unmuted", async () => {
    const [a, b, c] = [await who("na"), await who("nb"), await who("nc")];
    const [pa, pc] = [await post(a, "from a"), await post(c, "from c")];
    expect((await b.client.post(`/api/v1/posts/${pa.id}/like`)).statusCode).toBe(200);
    expect((await b.client.post(`/api/v1/posts/${pc.id}/like`)).statusCode).toBe(200);
    const list = async (x: Who) => (await x.client.get("/api/v1/notifications")).json() as { notifications: Array<{ actor: { id: string } }>; unread_count: number };
    const actors = async (x: Who) => (await list(x)).notifications.map((n) => n.actor.id);
    expect(await actors(a)).toContain(b.id);
    // b blocks a: the block stands both ways, so a no longer sees b's like.
    expect((await b.client.post(`/api/v1/users/${a.id}/block`)).statusCode).toBe(200);
    expect(await actors(a)).not.toContain(b.id);
    // c mutes b: hidden and no longer counted as unread; unmuting shows it again.
    const before = await list(c);
    expect(before.notifications.map((n) => n.actor.id)).toContain(b.id);
    expect((await c.client.post(`/api/v1/users/${b.id}/mute`)).statusCode).toBe(200);
    const muted = await list(c);
    expect(muted.notifications.map((n) => n.actor.id)).not.toContain(b.id);
    expect(muted.unread_count).toBe(before.unread_count - 1);
    expect((await c.client.delete(`/api/v1/users/${b.id}/mute`)).statusCode).toBe(200);
    expect(await actors(c)).toContain(b.id);
  });
});
