// Notifications over the API and straight through the social functions (the triggers make
// them, so any path must). Model-based rules are in notifications.model.test.ts.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { follow, unfollow } from "../../src/server/social/follows.js";
import { like, unlike } from "../../src/server/social/likes.js";
import { publishPost } from "../../src/server/social/publish.js";
import { BACKENDS, errorOf, signUp, startTestServer, type TestClient, type TestServer } from "./harness.js";

describe.each(BACKENDS)("notifications (%s)", (backend) => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(backend); });
  afterAll(async () => { await server?.close(); });

  async function list(client: TestClient, query = "") {
    const res = await client.get(`/api/v1/notifications${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { notifications: Array<{ id: string; type: string; actor: { id: string }; post?: { id: string }; read: boolean }>; next_cursor: string | null; has_more: boolean; unread_count: number };
  }

  it("follow, like, reply-with-mention, undo, redo, read", async () => {
    const a = await signUp(server.app);
    const b = await signUp(server.app);
    const db = server.ctx.db;
    await follow(db, b.auth.user.id, a.auth.user.id);
    await follow(db, b.auth.user.id, a.auth.user.id);
    const mine = await publishPost(db, { authorId: a.auth.user.id, content: "hello" });
    if (!mine?.created) throw new Error("no post");
    await like(db, b.auth.user.id, mine.post.id);
    await like(db, a.auth.user.id, mine.post.id); // own: nothing
    const reply = await publishPost(db, { authorId: b.auth.user.id, content: `@${a.auth.user.username} yes`, replyToId: mine.post.id });
    if (!reply?.created) throw new Error("no reply");
    let page = await list(a.client);
    expect(page.notifications.map((n) => n.type)).toEqual(["reply", "like", "follow"]);
    expect(page.notifications[0]!.post!.id).toBe(reply.post.id);
    expect(page.notifications[1]!.post!.id).toBe(mine.post.id);
    expect(page.notifications[2]!.post).toBeUndefined();
    expect(page.unread_count).toBe(3);
    expect((await list(b.client)).notifications).toEqual([]);

    // Paging with the one paginator; another list's cursor is refused.
    const first = await list(a.client, "?limit=2");
    expect(first.has_more).toBe(true);
    const second = await list(a.client, `?limit=2&cursor=${first.next_cursor}`);
    expect(second.notifications.map((n) => n.type)).toEqual(["follow"]);
    expect(second.next_cursor).toBeNull();
    expect(errorOf(await b.client.get(`/api/v1/notifications?cursor=${first.next_cursor}`)).field).toBe("cursor");

    // Read up to the like: it and the follow.
    expect((await a.client.post("/api/v1/notifications/read", { up_to_id: page.notifications[1]!.id })).statusCode).toBe(204);
    page = await list(a.client);
    expect(page.notifications.map((n) => n.read)).toEqual([false, true, true]);
    expect(page.unread_count).toBe(1);
    expect(errorOf(await a.client.post("/api/v1/notifications/read", { up_to_id: "x1" })).field).toBe("up_to_id");
    expect((await a.client.post("/api/v1/notifications/read", { up_to_id: "999999999" })).statusCode).toBe(404);
    expect((await b.client.post("/api/v1/notifications/read", { up_to_id: page.notifications[0]!.id })).statusCode).toBe(404);

    // Undo removes; redo makes it anew, unread.
    await unlike(db, b.auth.user.id, mine.post.id);
    await unfollow(db, b.auth.user.id, a.auth.user.id);
    expect((await list(a.client)).notifications.map((n) => n.type)).toEqual(["reply"]);
    await follow(db, b.auth.user.id, a.auth.user.id);
    page = await list(a.client);
    expect(page.notifications.map((n) => [n.type, n.read])).toEqual([["follow", false], ["reply", false]]);

    // Mutes filter when read, and unmuting shows them again.
    await sql`INSERT INTO mutes (muter_id, muted_id) VALUES (${a.auth.user.id}::uuid, ${b.auth.user.id}::uuid)`.execute(db);
    page = await list(a.client);
    expect(page.notifications).toEqual([]);
    expect(page.unread_count).toBe(0);
    await sql`DELETE FROM mutes WHERE muter_id = ${a.auth.user.id}::uuid`.execute(db);
    expect((await list(a.client)).unread_count).toBe(2);

    // Deleting the reply removes its notification; {} marks all read.
    await sql`DELETE FROM posts WHERE id = ${reply.post.id}::uuid`.execute(db);
    expect((await list(a.client)).notifications.map((n) => n.type)).toEqual(["follow"]);
    expect((await a.client.post("/api/v1/notifications/read", {})).statusCode).toBe(204);
    expect((await list(a.client)).unread_count).toBe(0);
  });

  it("at most one per actor, type and post under concurrent follows", async () => {
    const a = await signUp(server.app);
    const b = await signUp(server.app);
    const db = server.ctx.db;
    await Promise.all(Array.from({ length: 8 }, () => follow(db, b.auth.user.id, a.auth.user.id)));
    // Straight through SQL too: the unique index treats the absent post as equal.
    await expect(sql`INSERT INTO notifications (recipient_id, actor_id, type) VALUES (${a.auth.user.id}::uuid, ${b.auth.user.id}::uuid, 'follow')`.execute(db)).rejects.toThrow();
    expect((await list(a.client)).notifications).toHaveLength(1);
  });
});
