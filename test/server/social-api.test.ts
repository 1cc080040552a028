// The social layer's HTTP contract (../shared/spec/social.md: lists and paging, what posts and
// profiles gain, follows and the home feed, conversations, likes and reposts, tags), over HTTP
// on both databases.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, errorOf, signUp, startTestServer, type TestClient, type TestServer } from "./harness.js";

type Post = {
  id: string; author_id: string; content: string; reply_to_id: string | null;
  reply_to_user: { id: string; username: string } | null;
  reply_count: number; like_count: number; repost_count: number; liked: boolean; reposted: boolean;
  mentions: Array<{ id: string; username: string }>; tags: string[]; repost?: { by: { id: string; username: string }; at: string };
};
type Page<K extends string, T> = Record<K, T[]> & { next_cursor: string | null; has_more: boolean };

const MISSING = "00000000-0000-4000-8000-000000000000";

/** Every item of a list, following next_cursor with the given page size. */
async function walk<T>(client: TestClient, path: string, key: string, limit: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await client.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Page<string, T>;
    items.push(...page[key]!);
    expect(page.next_cursor === null).toBe(!page.has_more);
    if (!page.has_more) return items;
    cursor = page.next_cursor;
  }
  throw new Error("the list did not end");
}

describe.each(BACKENDS)("social API on %s", (backend) => {
  let server: TestServer;
  let ann: TestClient, ben: TestClient, cat: TestClient;
  let annId: string, benId: string, catId: string;
  const publish = async (client: TestClient, content: string, reply_to_id?: string | null): Promise<Post> => {
    const res = await client.post("/api/v1/posts", reply_to_id === undefined ? { content } : { content, reply_to_id });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().post as Post;
  };
  const block = (blocker: string, blocked: string) =>
    sql`INSERT INTO blocks (blocker_id, blocked_id) VALUES (${blocker}::uuid, ${blocked}::uuid)`.execute(server.ctx.db);
  const unblock = (blocker: string, blocked: string) =>
    sql`DELETE FROM blocks WHERE blocker_id = ${blocker}::uuid AND blocked_id = ${blocked}::uuid`.execute(server.ctx.db);

  beforeAll(async () => {
    server = await startTestServer(backend);
    const a = await signUp(server.app, "ann"), b = await signUp(server.app, "ben"), c = await signUp(server.app, "cat");
    [ann, ben, cat] = [a.client, b.client, c.client];
    [annId, benId, catId] = [a.auth.user.id, b.auth.user.id, c.auth.user.id];
    expect(a.auth.user).toMatchObject({ followers_count: 0, following_count: 0, posts_count: 0 });
  });
  afterAll(() => server.close());

  it("follows and unfollows: 200 {user, relationship}, idempotent, counts exact, lists most recent first", async () => {
    let res = await ann.post(`/api/v1/users/${benId}/follow`);
    expect(res.statusCode, res.body).toBe(200);
    expect(Object.keys(res.json())).toEqual(["user", "relationship"]);
    expect(res.json().user).toMatchObject({ id: benId, followers_count: 1, following_count: 0 });
    expect(res.json().relationship).toEqual({ following: true, followed_by: false, blocking: false, blocked_by: false, muting: false });
    expect((await ann.post(`/api/v1/users/@BEN/follow`)).json().user.followers_count).toBe(1);
    await ann.post(`/api/v1/users/${catId}/follow`);
    await ben.post(`/api/v1/users/${annId}/follow`);
    expect((await ben.get(`/api/v1/users/${annId}`)).json()).toMatchObject({
      user: { followers_count: 1, following_count: 2 }, relationship: { following: true, followed_by: true },
    });
    expect((await ann.get("/api/v1/users/me")).json().relationship).toBeUndefined();
    const following = await walk<{ id: string }>(ann, "/api/v1/users/me/following", "users", 1);
    expect(following.map((u) => u.id)).toEqual([catId, benId]);
    const followers = (await cat.get(`/api/v1/users/${benId}/followers`)).json();
    expect(followers.users.map((u: { id: string }) => u.id)).toEqual([annId]);
    expect(Object.keys(followers.users[0]).sort()).toEqual(["bio", "created_at", "display_name", "id", "username"]);

    res = await ann.delete(`/api/v1/users/${catId}/follow`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { followers_count: 0 }, relationship: { following: false } });
    expect((await ann.delete(`/api/v1/users/${catId}/follow`)).json().user.followers_count).toBe(0);
  });

  it("refuses following yourself (400), unknown or malformed users (404), and across a block (403), storing nothing", async () => {
    for (const path of ["/api/v1/users/me/follow", `/api/v1/users/${annId}/follow`]) {
      const res = await ann.post(path);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe("validation_error");
    }
    for (const id of [MISSING, "nope", "@nobody_here"]) {
      for (const method of ["POST", "DELETE"] as const) {
        const res = await ann.request(method, `/api/v1/users/${id}/follow`);
        expect(res.statusCode, `${method} ${id}`).toBe(404);
        expect(errorOf(res).code).toBe("not_found");
      }
      expect((await ann.get(`/api/v1/users/${id}/followers`)).statusCode).toBe(404);
      expect((await ann.get(`/api/v1/users/${id}/following`)).statusCode).toBe(404);
    }
    await block(catId, benId);
    const res = await ben.post(`/api/v1/users/${catId}/follow`);
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).code).toBe("forbidden");
    expect((await cat.get("/api/v1/users/me")).json().user.followers_count).toBe(0);
    await unblock(catId, benId);
  });

  it("replies: reply_to_id and reply_to_user; 400 malformed, 404 missing or deleted, 403 across a block", async () => {
    const root = await publish(ben, "root of a thread #Thread");
    const reply = await publish(ann, "@ben agreed #thread #Other", root.id);
    expect(reply).toMatchObject({ reply_to_id: root.id, reply_to_user: { id: benId, username: "ben" }, mentions: [{ id: benId, username: "ben" }], tags: ["thread", "other"] });
    expect((await ann.get(`/api/v1/posts/${root.id}`)).json().post.reply_count).toBe(1);
    expect((await ann.post("/api/v1/posts", { content: "null is not a reply", reply_to_id: null })).json().post.reply_to_id).toBeNull();

    for (const bad of ["not-a-uuid", "", 42]) {
      const res = await ann.post("/api/v1/posts", { content: "x", reply_to_id: bad });
      expect(res.statusCode, String(bad)).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "reply_to_id" });
    }
    const gone = await publish(cat, "soon deleted");
    expect((await cat.delete(`/api/v1/posts/${gone.id}`)).statusCode).toBe(204);
    for (const id of [MISSING, gone.id]) {
      const res = await ann.post("/api/v1/posts", { content: "to nothing", reply_to_id: id });
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe("not_found");
    }
    await block(benId, catId);
    const res = await cat.post("/api/v1/posts", { content: "blocked reply", reply_to_id: root.id });
    expect(res.statusCode).toBe(403);
    await unblock(benId, catId);
    expect((await ann.get(`/api/v1/posts/${root.id}`)).json().post.reply_count).toBe(1);
  });

  it("Idempotency-Key: the same key within 24 h answers 200 with the first post and stores nothing; bad keys 400", async () => {
    const send = (client: TestClient, key: string, content: string) => client.request("POST", "/api/v1/posts", { content }, { "idempotency-key": key });
    const first = await send(ann, "key-1", "exactly once");
    expect(first.statusCode).toBe(201);
    const again = await send(ann, "key-1", "exactly once (retry)");
    expect(again.statusCode).toBe(200);
    expect(again.json().post.id).toBe(first.json().post.id);
    expect(again.json().post.content).toBe("exactly once");
    expect((await send(ben, "key-1", "another user's key")).statusCode).toBe(201);
    const mine = await walk<Post>(ann, "/api/v1/users/me/posts", "posts", 100);
    expect(mine.filter((p) => p.content.startsWith("exactly once"))).toHaveLength(1);
    for (const bad of ["", "x".repeat(101), "caf\u00e9"]) {
      const res = await send(ann, bad, "bad key");
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "Idempotency-Key" });
    }
    // Decided: the key's post was deleted since, so there is nothing to answer with: 409.
    expect((await ann.delete(`/api/v1/posts/${first.json().post.id}`)).statusCode).toBe(204);
    const afterDelete = await send(ann, "key-1", "exactly once");
    expect(afterDelete.statusCode).toBe(409);
    expect(errorOf(afterDelete)).toMatchObject({ code: "conflict", field: "Idempotency-Key" });
  });

  it("threads: ancestors root-most first stopping before a deleted post, replies oldest first and paged; 404", async () => {
    const root = await publish(ann, "T root");
    const a = await publish(ben, "T a", root.id);
    const b = await publish(cat, "T b", a.id);
    const c = await publish(ann, "T c", b.id);
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await publish(ben, `T reply ${i}`, b.id));
    let res = await ann.get(`/api/v1/posts/${b.id}/thread?limit=2`);
    expect(res.statusCode).toBe(200);
    let page = res.json();
    expect(Object.keys(page)).toEqual(["ancestors", "post", "replies", "next_cursor", "has_more"]);
    expect(page.ancestors.map((p: Post) => p.id)).toEqual([root.id, a.id]);
    expect(page.post).toMatchObject({ id: b.id, reply_count: 6 });
    const all = await walk<Post>(ann, `/api/v1/posts/${b.id}/thread`, "replies", 2);
    expect(all.map((p) => p.id)).toEqual([c.id, ...replies.map((r) => r.id)]);
    expect((await ben.delete(`/api/v1/posts/${a.id}`)).statusCode).toBe(204);
    page = (await ann.get(`/api/v1/posts/${c.id}/thread`)).json();
    expect(page.ancestors.map((p: Post) => p.id)).toEqual([b.id]);
    expect(page.replies).toEqual([]);
    expect((await ann.get(`/api/v1/posts/${b.id}/thread`)).json()).toMatchObject({ ancestors: [], post: { reply_to_id: a.id, reply_to_user: null } });
    for (const id of [MISSING, "nope", a.id]) {
      res = await ann.get(`/api/v1/posts/${id}/thread`);
      expect(res.statusCode, id).toBe(404);
      expect(errorOf(res).code).toBe("not_found");
    }
  });

  it("likes and reposts: 200 {post} with exact count and flag, idempotent, lists most recent first; 404; 403 across a block", async () => {
    const post = await publish(cat, "like me");
    let res = await ann.post(`/api/v1/posts/${post.id}/like`);
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(["post"]);
    expect(res.json().post).toMatchObject({ id: post.id, like_count: 1, liked: true, reposted: false });
    expect((await ann.post(`/api/v1/posts/${post.id}/like`)).json().post.like_count).toBe(1);
    expect((await ben.post(`/api/v1/posts/${post.id}/like`)).json().post).toMatchObject({ like_count: 2, liked: true });
    expect((await cat.post(`/api/v1/posts/${post.id}/like`)).json().post).toMatchObject({ like_count: 3, liked: true });
    expect((await ann.post(`/api/v1/posts/${post.id}/repost`)).json().post).toMatchObject({ repost_count: 1, reposted: true, liked: true });
    // Read your writes: the flag and the exact count on GET, the flag on every list at once.
    expect((await ann.get(`/api/v1/posts/${post.id}`)).json().post).toMatchObject({ like_count: 3, liked: true, reposted: true });
    expect((await ben.get(`/api/v1/posts/${post.id}`)).json().post).toMatchObject({ liked: true, reposted: false });
    const likers = await walk<{ id: string }>(ann, `/api/v1/posts/${post.id}/likes`, "users", 2);
    expect(likers.map((u) => u.id)).toEqual([catId, benId, annId]);
    expect((await ann.get(`/api/v1/posts/${post.id}/reposts`)).json()).toMatchObject({ users: [{ id: annId }], has_more: false, next_cursor: null });

    res = await ann.delete(`/api/v1/posts/${post.id}/like`);
    expect(res.json().post).toMatchObject({ like_count: 2, liked: false, reposted: true });
    expect((await ann.delete(`/api/v1/posts/${post.id}/like`)).json().post.like_count).toBe(2);
    expect((await ann.delete(`/api/v1/posts/${post.id}/repost`)).json().post).toMatchObject({ repost_count: 0, reposted: false });

    for (const id of [MISSING, "nope"]) {
      for (const [method, path] of [["POST", "like"], ["DELETE", "like"], ["POST", "repost"], ["DELETE", "repost"], ["GET", "likes"], ["GET", "reposts"]] as const) {
        res = await ann.request(method, `/api/v1/posts/${id}/${path}`);
        expect(res.statusCode, `${method} ${id}/${path}`).toBe(404);
        expect(errorOf(res).code).toBe("not_found");
      }
    }
    await block(catId, annId);
    res = await ann.post(`/api/v1/posts/${post.id}/like`);
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).code).toBe("forbidden");
    await unblock(catId, annId);
    expect((await cat.get(`/api/v1/posts/${post.id}`)).json().post.like_count).toBe(2);
  });

  it("home feed: own and followed posts, reposts of others at the repost; follow/unfollow/unrepost change it at once", async () => {
    const x = await signUp(server.app, "homex"), y = await signUp(server.app, "homey"), z = await signUp(server.app, "homez");
    const own = await publish(x.client, "x's own");
    const yPost = await publish(y.client, "y's post");
    const zPost = await publish(z.client, "z's post");
    expect((await walk<Post>(x.client, "/api/v1/timeline/home", "posts", 1)).map((p) => p.id)).toEqual([own.id]);
    await x.client.post(`/api/v1/users/${y.auth.user.id}/follow`);
    await y.client.post(`/api/v1/posts/${zPost.id}/repost`);
    let feed = await walk<Post>(x.client, "/api/v1/timeline/home", "posts", 2);
    expect(feed.map((p) => [p.id, p.repost?.by.id ?? null])).toEqual([[zPost.id, y.auth.user.id], [yPost.id, null], [own.id, null]]);
    expect(feed[0]!.repost!.at).toMatch(/Z$/);
    await y.client.delete(`/api/v1/posts/${zPost.id}/repost`);
    feed = await walk<Post>(x.client, "/api/v1/timeline/home", "posts", 50);
    expect(feed.map((p) => p.id)).toEqual([yPost.id, own.id]);
    await x.client.delete(`/api/v1/users/${y.auth.user.id}/follow`);
    expect((await walk<Post>(x.client, "/api/v1/timeline/home", "posts", 50)).map((p) => p.id)).toEqual([own.id]);
    // The global timeline never shows reposts and keeps v1's meaning.
    const global = (await x.client.get("/api/v1/timeline?limit=3")).json().posts as Post[];
    expect(global.map((p) => p.id)).toEqual([zPost.id, yPost.id, own.id]);
    expect(global.every((p) => p.repost === undefined)).toBe(true);
  });

  it("tags: case-insensitive, without #, newest first, paged; an unused tag is []", async () => {
    const one = await publish(ann, "first #Caf\u00e9Talk");
    const two = await publish(ben, "second #cafétalk and #other");
    const posts = await walk<Post>(cat, `/api/v1/tags/${encodeURIComponent("CAFÉTALK")}/posts`, "posts", 1);
    expect(posts.map((p) => p.id)).toEqual([two.id, one.id]);
    expect(posts[0]!.tags).toEqual(["cafétalk", "other"]);
    for (const tag of ["nobodyusesthis", "123", "no%20tag"]) {
      const res = await cat.get(`/api/v1/tags/${tag}/posts`);
      expect(res.statusCode, tag).toBe(200);
      expect(res.json()).toEqual({ posts: [], next_cursor: null, has_more: false });
    }
  });

  it("cursors from another list are 400 on cursor; limit is checked on every list", async () => {
    const p = await publish(ann, "cursor source #cursors");
    await publish(ann, "cursor source 2 #cursors");
    await ann.post(`/api/v1/posts/${p.id}/like`);
    await ben.post(`/api/v1/posts/${p.id}/like`);
    await cat.post(`/api/v1/users/${benId}/follow`);
    const lists: Record<string, string> = {
      home: "/api/v1/timeline/home",
      annFollowing: `/api/v1/users/${annId}/following`,
      benFollowers: `/api/v1/users/${benId}/followers`,
      likes: `/api/v1/posts/${p.id}/likes`,
      tag: "/api/v1/tags/cursors/posts",
      global: "/api/v1/timeline",
    };
    await ann.post(`/api/v1/users/${catId}/follow`);
    const cursors: Record<string, string> = {};
    for (const [name, path] of Object.entries(lists)) {
      const page = (await ann.get(`${path}?limit=1`)).json();
      expect(page.has_more, name).toBe(true);
      cursors[name] = page.next_cursor;
    }
    for (const [name, path] of Object.entries(lists)) {
      for (const [other, cursor] of Object.entries(cursors)) {
        if (other === name) continue;
        const res = await ann.get(`${path}?cursor=${encodeURIComponent(cursor)}`);
        expect(res.statusCode, `${name} with ${other}'s cursor`).toBe(400);
        expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "cursor" });
      }
      for (const limit of ["0", "101", "x"]) {
        const res = await ann.get(`${path}?limit=${limit}`);
        expect(res.statusCode).toBe(400);
        expect(errorOf(res).field).toBe("limit");
      }
    }
    // The home feed of another user, and RFC 3339 timestamps (v1 lists only), are other lists' cursors.
    expect((await ben.get(`/api/v1/timeline/home?cursor=${encodeURIComponent(cursors.home!)}`)).statusCode).toBe(400);
    expect((await ann.get("/api/v1/timeline/home?cursor=2026-01-01T00:00:00Z")).statusCode).toBe(400);
  });

  it("a user's posts page: each post's social fields for its reader, as GET /posts/{id} answers them", async () => {
    const dee = await signUp(server.app, "dee");
    const annPost = await publish(ann, "a post to answer");
    const doomed = await publish(cat, "a post about to go");
    await publish(dee.client, "hello @ann and @BEN, mail@example.com #Rust #rust #日本 #1 &#x; done");
    await publish(dee.client, "@ann agreed", annPost.id);
    await publish(dee.client, "an answer to a deleted post", doomed.id);
    await publish(dee.client, "a lone @ and a lone # mention and tag nobody");
    expect((await cat.delete(`/api/v1/posts/${doomed.id}`)).statusCode).toBe(204);
    const [reply, entities] = ((await ann.get(`/api/v1/users/${dee.auth.user.id}/posts`)).json().posts as Post[]).slice(2);
    await ben.post(`/api/v1/posts/${entities!.id}/like`);
    await ben.post(`/api/v1/posts/${reply!.id}/repost`);
    await ann.post(`/api/v1/posts/${reply!.id}/like`);
    for (const reader of [ann, ben, dee.client]) {
      const page = (await reader.get(`/api/v1/users/@dee/posts`)).json().posts as Post[];
      expect(page).toHaveLength(4);
      for (const post of page) {
        // The page is read, not cached: its counts are as exact as the single post's.
        const { author: _author, ...single } = (await reader.get(`/api/v1/posts/${post.id}`)).json().post as Post & { author: unknown };
        expect(post).toEqual(single);
        expect(Object.keys(post)).toEqual(Object.keys(single));
      }
    }
    const page = (await ben.get(`/api/v1/users/@dee/posts`)).json().posts as Post[];
    expect(page.map((p) => [p.reply_to_user?.username ?? null, p.mentions.map((m) => m.username), p.tags, p.liked, p.reposted])).toEqual([
      [null, [], [], false, false],
      [null, [], [], false, false],
      ["ann", ["ann"], [], false, true],
      [null, ["ann", "ben"], ["rust", "日本"], true, false],
    ]);
    expect(page[1]!.reply_to_id).toBe(doomed.id);
    expect(page[2]).toMatchObject({ like_count: 1, repost_count: 1 });
    // A block empties the page both ways (the user still exists: 200, not 404), and only between the two.
    await publish(ben, "ben has posts of his own");
    await block(dee.auth.user.id, benId);
    const postsOf = async (reader: TestClient, user: string) => {
      const res = await reader.get(`/api/v1/users/${user}/posts`);
      expect(res.statusCode).toBe(200);
      return (res.json().posts as Post[]).length;
    };
    expect([await postsOf(ben, "@dee"), await postsOf(dee.client, benId), await postsOf(ann, "@dee")]).toEqual([0, 0, 4]);
    await unblock(dee.auth.user.id, benId);
    expect(await postsOf(ben, "@dee")).toBe(4);
    expect(await postsOf(dee.client, benId)).toBeGreaterThan(0);
  });

  it("every post in every answer carries the social fields; the cached first page shows each reader's own flags at once", async () => {
    const post = await publish(cat, "flags on the first page");
    await ben.post(`/api/v1/posts/${post.id}/like`);
    const firstFor = async (client: TestClient) => ((await client.get("/api/v1/timeline")).json().posts as Post[]).find((p) => p.id === post.id)!;
    expect(await firstFor(ben)).toMatchObject({ liked: true, reposted: false });
    expect(await firstFor(ann)).toMatchObject({ liked: false, reposted: false });
    await ann.post(`/api/v1/posts/${post.id}/repost`);
    expect(await firstFor(ann)).toMatchObject({ liked: false, reposted: true });
    expect(await firstFor(ben)).toMatchObject({ liked: true, reposted: false });
    // Each reader's flags may be remembered with the shared page: undoing shows at once too.
    await ben.delete(`/api/v1/posts/${post.id}/like`);
    expect(await firstFor(ben)).toMatchObject({ liked: false });
    await ben.post(`/api/v1/posts/${post.id}/like`);
    expect(await firstFor(ben)).toMatchObject({ liked: true });
    // Counts on the cached page may lag, by at most 2 seconds.
    const deadline = Date.now() + 2_000;
    for (;;) {
      const seen = await firstFor(cat);
      if (seen.like_count === 1 && seen.repost_count === 1) break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const deep = (await ann.get(`/api/v1/timeline?limit=1&cursor=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json().posts[0] as Post;
    expect(deep).toMatchObject({ id: post.id, reposted: true, liked: false, like_count: 1, repost_count: 1 });
    const byUser = (await ann.get(`/api/v1/users/${catId}/posts?limit=1`)).json().posts[0] as Post;
    expect(byUser).toMatchObject({ id: post.id, reposted: true, like_count: 1, mentions: [], tags: [], reply_to_user: null });
  });
});
