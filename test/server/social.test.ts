// The social graph's data functions (src/server/social), called directly on real databases
// (routes come later): follows, likes, reposts, publishing, threads, tags, and their counts.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SelfActionError, findSocialPost, type Keyed, type PageKey } from "../../src/server/social/common.js";
import { homeFeedPage, homeFeedPerAuthorPage, homeFeedWindowPage, NarrowReaders, tagPostsPage, threadPage, type FeedEntry } from "../../src/server/social/feeds.js";
import { follow, followersPage, followingPage, relationship, unfollow } from "../../src/server/social/follows.js";
import { like, likesPage, repost, repostsPage, unlike, unrepost } from "../../src/server/social/likes.js";
import { cleanupIdempotencyKeys, isIdempotencyKey, publishPost } from "../../src/server/social/publish.js";
import { BACKENDS, startTestServer, type TestServer } from "./harness.js";
import { makeUsers } from "./social-helpers.js";

/** Walks a paged list to its end with the given page size. */
async function walk<T>(page: (after: PageKey | undefined, limit: number) => Promise<Array<Keyed<T>>>, limit: number): Promise<T[]> {
  const all: T[] = [];
  let after: PageKey | undefined;
  for (let i = 0; i < 1000; i++) {
    const rows = await page(after, limit);
    expect(rows.length).toBeLessThanOrEqual(limit + 1);
    const shown = rows.slice(0, limit);
    all.push(...shown.map((r) => r.item));
    if (rows.length <= limit) return all;
    after = shown[shown.length - 1]!.key;
  }
  throw new Error("the list never ended");
}

describe.each(BACKENDS)("social data functions on %s", (backend) => {
  let server: TestServer;
  let db: TestServer["ctx"]["db"];
  let at: () => string | null;
  beforeAll(async () => {
    server = await startTestServer(backend);
    db = server.ctx.db;
    at = () => server.ctx.database.newTimestamp();
  });
  afterAll(() => server.close());

  const publish = async (authorId: string, content: string, replyToId: string | null = null) => {
    const result = await publishPost(db, { authorId, content, replyToId, at: at() });
    if (!result?.created) throw new Error("not published");
    return result.post;
  };

  it("follow and unfollow: idempotent, counted once, self refused, unknown user undefined", async () => {
    const [a, b] = await makeUsers(db, "fol", 2);
    await expect(follow(db, a!, a!)).rejects.toBeInstanceOf(SelfActionError);
    expect(await follow(db, a!, "00000000-0000-4000-8000-000000000000")).toBeUndefined();
    expect(await follow(db, a!, b!, at())).toEqual({ following: true, followed_by: false, blocking: false, blocked_by: false, muting: false });
    await follow(db, a!, b!, at());
    expect(await relationship(db, b!, a!)).toMatchObject({ following: false, followed_by: true });
    const counts = await db.selectFrom("users").select(["id", "followers_count", "following_count"]).where("id", "in", [a!, b!]).execute();
    expect(counts.find((u) => u.id === a)).toMatchObject({ followers_count: 0, following_count: 1 });
    expect(counts.find((u) => u.id === b)).toMatchObject({ followers_count: 1, following_count: 0 });
    expect(await unfollow(db, a!, b!)).toMatchObject({ following: false });
    expect(await unfollow(db, a!, b!)).toMatchObject({ following: false });
    const after = await db.selectFrom("users").select(["followers_count"]).where("id", "=", b!).executeTakeFirstOrThrow();
    expect(after.followers_count).toBe(0);
  });

  it("a block either way refuses follow, like, repost and reply, and stores nothing", async () => {
    const [a, b] = await makeUsers(db, "blk", 2);
    const post = await publish(b!, "blocked post");
    await db.insertInto("blocks").values({ blocker_id: b!, blocked_id: a! }).execute();
    await expect(follow(db, a!, b!)).rejects.toMatchObject({ code: "forbidden" });
    await expect(like(db, a!, post.id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(repost(db, a!, post.id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(publishPost(db, { authorId: a!, content: "hi", replyToId: post.id })).rejects.toMatchObject({ code: "forbidden" });
    expect(await relationship(db, a!, b!)).toMatchObject({ blocked_by: true, following: false });
    const stored = await findSocialPost(db, b!, post.id);
    expect(stored).toMatchObject({ like_count: 0, repost_count: 0, reply_count: 0 });
    expect(await threadPage(db, a!, post.id, undefined, 10)).toBeUndefined();
  });

  it("likes and reposts: idempotent, exact counts and flags, lists newest first", async () => {
    const users = await makeUsers(db, "lik", 5);
    const post = await publish(users[0]!, "like me");
    for (const u of users) {
      expect((await like(db, u, post.id, at()))?.liked).toBe(true);
      await like(db, u, post.id, at());
    }
    expect((await findSocialPost(db, users[0]!, post.id))?.like_count).toBe(5);
    expect((await unlike(db, users[1]!, post.id))).toMatchObject({ liked: false, like_count: 4 });
    expect((await unlike(db, users[1]!, post.id))).toMatchObject({ liked: false, like_count: 4 });
    expect((await walk((k, n) => likesPage(db, users[0]!, post.id, k, n), 2)).map((u) => u.id))
      .toEqual([users[4], users[3], users[2], users[0]]);
    expect(await like(db, users[0]!, "00000000-0000-4000-8000-000000000000")).toBeUndefined();
    expect(await repost(db, users[2]!, post.id, at())).toMatchObject({ reposted: true, repost_count: 1 });
    expect(await repost(db, users[2]!, post.id, at())).toMatchObject({ reposted: true, repost_count: 1 });
    expect((await walk((k, n) => repostsPage(db, users[0]!, post.id, k, n), 1)).map((u) => u.id)).toEqual([users[2]]);
    expect(await unrepost(db, users[2]!, post.id)).toMatchObject({ reposted: false, repost_count: 0 });
  });

  it("publishing stores mentions of existing users and tags; the Idempotency-Key replays the first post", async () => {
    const [a, b] = await makeUsers(db, "pub", 2);
    const bName = (await db.selectFrom("users").select("username").where("id", "=", b!).executeTakeFirstOrThrow()).username;
    const post = await publish(a!, `hi @${bName.toUpperCase()} and @nobody_here, #Rust #rust #हिन्दी`);
    expect(post.mentions).toEqual([{ id: b, username: bName }]);
    expect(post.tags).toEqual(["rust", "हिन्दी"]);
    expect([" ", "~", "k".repeat(100), "a b-c_d!"].every(isIdempotencyKey)).toBe(true);
    expect(["", "k".repeat(101), "é", "a\tb", "a\nb", "\u007f"].some(isIdempotencyKey)).toBe(false);
    // The database's CHECK agrees: a key the rule refuses is never stored.
    await expect(publishPost(db, { authorId: a!, content: "x", idempotencyKey: "é" })).rejects.toThrow();
    const first = await publishPost(db, { authorId: a!, content: "once", idempotencyKey: "key-1", at: at() });
    const again = await publishPost(db, { authorId: a!, content: "once", idempotencyKey: "key-1", at: at() });
    expect(first?.created).toBe(true);
    expect(again).toMatchObject({ created: false, postId: first!.post!.id });
    expect(again?.post?.id).toBe(first!.post!.id);
    // Concurrent retries make one post.
    const racing = await Promise.all(Array.from({ length: 10 }, () =>
      publishPost(db, { authorId: a!, content: "raced", idempotencyKey: "key-2", at: at() })));
    expect(racing.filter((r) => r?.created)).toHaveLength(1);
    expect(new Set(racing.map((r) => r?.post?.id)).size).toBe(1);
    // A key older than 24 hours is forgotten.
    await sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'key-1'`.execute(db);
    const later = await publishPost(db, { authorId: a!, content: "once", idempotencyKey: "key-1", at: at() });
    expect(later?.created).toBe(true);
    await sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'key-2'`.execute(db);
    expect(await cleanupIdempotencyKeys(db)).toBeGreaterThanOrEqual(1);
    const postsCount = (await db.selectFrom("users").select("posts_count").where("id", "=", a!).executeTakeFirstOrThrow()).posts_count;
    expect(postsCount).toBe(4);
    await expect(publishPost(db, { authorId: a!, content: "x", replyToId: "00000000-0000-4000-8000-000000000000" }))
      .rejects.toMatchObject({ code: "not_found" });
  });

  it("threads: ancestors stop before the first deleted post; replies oldest first, paged; counts exact", async () => {
    const [a, b] = await makeUsers(db, "thr", 2);
    const root = await publish(a!, "root");
    const pa = await publish(b!, "A", root.id);
    const pb = await publish(a!, "B", pa.id);
    const pc = await publish(b!, "C", pb.id);
    expect((await threadPage(db, a!, pc.id, undefined, 10))!.ancestors.map((p) => p.id)).toEqual([root.id, pa.id, pb.id]);
    expect((await findSocialPost(db, a!, root.id))?.reply_count).toBe(1);
    await db.deleteFrom("posts").where("id", "=", pa.id).execute();
    expect((await findSocialPost(db, a!, root.id))?.reply_count).toBe(0);
    const c = await threadPage(db, a!, pc.id, undefined, 10);
    expect(c!.ancestors.map((p) => p.id)).toEqual([pb.id]);
    expect((await threadPage(db, a!, pb.id, undefined, 10))!.ancestors).toEqual([]);
    const bPost = (await threadPage(db, a!, pb.id, undefined, 10))!.post;
    expect(bPost).toMatchObject({ reply_to_id: pa.id, reply_to_user: null, reply_count: 1 });
    expect(c!.post.reply_to_user).toMatchObject({ id: a });
    // 7 replies, walked 3 at a time, oldest first.
    const replies = [];
    for (let i = 0; i < 7; i++) replies.push((await publish(i % 2 ? a! : b!, `reply ${i}`, root.id)).id);
    const walked = await walk(async (k, n) => (await threadPage(db, b!, root.id, k, n))!.replies, 3);
    expect(walked.map((p) => p.id)).toEqual(replies);
    expect(await threadPage(db, a!, pa.id, undefined, 10)).toBeUndefined();
  });

  it("a tag's posts, newest first, paged; followers and following, most recent follow first", async () => {
    const users = await makeUsers(db, "tag", 4);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await publish(users[i % 4]!, `#Paged${backend} number ${i}`)).id);
    await publish(users[0]!, `#other${backend}`);
    const tagged = await walk((k, n) => tagPostsPage(db, users[0]!, `paged${backend}`, k, n), 2);
    expect(tagged.map((p) => p.id)).toEqual(ids.reverse());
    for (const u of users.slice(1)) await follow(db, u, users[0]!, at());
    expect((await walk((k, n) => followersPage(db, users[1]!, users[0]!, k, n), 2)).map((u) => u.id)).toEqual(users.slice(1).reverse());
    expect((await walk((k, n) => followingPage(db, users[0]!, users[2]!, k, n), 2)).map((u) => u.id)).toEqual([users[0]]);
  });

  it("the home feed: own and followed posts, and reposts of others' posts as their own entries", async () => {
    const [me, f1, f2, stranger] = await makeUsers(db, "home", 4);
    await follow(db, me!, f1!, at());
    await follow(db, me!, f2!, at());
    const s = await publish(stranger!, "stranger's");
    const own = await publish(me!, "mine");
    const byF1 = await publish(f1!, "f1's");
    await repost(db, f1!, s.id, at());
    await repost(db, f2!, s.id, at());
    await repost(db, f2!, byF1.id, at()); // the author is followed: no entry
    const feed = await walk((k, n) => homeFeedPage(db, me!, k, n), 2);
    expect(feed.map((e) => [e.id, e.repost?.by.id ?? null])).toEqual([[s.id, f2], [s.id, f1], [byF1.id, null], [own.id, null]]);
    await unfollow(db, me!, f2!);
    expect((await walk((k, n) => homeFeedPage(db, me!, k, n), 50)).map((e) => e.repost?.by.id ?? null)).toEqual([f1, null, null]);
  });

  it("the home feed's window plan and its per-author fallback: a quiet followed user among busy ones, the same pages either way", async () => {
    const [me, quiet, b1, b2, b3, stranger] = await makeUsers(db, "window", 6);
    for (const u of [quiet, b1, b2, b3]) await follow(db, me!, u!, at());
    // The quiet user's posts are among a stranger's, older than the busy users' posts: a
    // window of 4 posts per entry holds too few followed posts there, and the fallback answers.
    const strangers: string[] = [];
    for (let j = 0; j < 20; j++) strangers.push((await publish(stranger!, `stranger early ${j}`)).id);
    const quietPosts = [await publish(quiet!, "quiet one"), await publish(quiet!, "quiet two")];
    for (let j = 0; j < 20; j++) strangers.push((await publish(stranger!, `stranger middle ${j}`)).id);
    for (let i = 0; i < 10; i++) {
      for (const u of [b1, b2, b3]) await publish(u!, `busy ${i}`);
      for (let j = 0; j < 3; j++) strangers.push((await publish(stranger!, `stranger ${i}.${j}`)).id);
      if (i === 4) await publish(me!, "mine");
    }
    await repost(db, b1!, strangers[45]!, at()); // an entry of its own
    await repost(db, b2!, quietPosts[0]!.id, at()); // the author is followed: no entry
    const limit = 3, windowPosts = 4 * (limit + 1);
    const paths = { window: 0, perAuthor: 0 };
    const narrow = new NarrowReaders();
    let after: PageKey | undefined;
    const feed: FeedEntry[] = [];
    for (let page = 0; page < 100; page++) {
      const perAuthor = await homeFeedPerAuthorPage(db, me!, after, limit);
      const windowed = await homeFeedWindowPage(db, me!, after, limit, windowPosts);
      if (windowed) {
        paths.window++;
        expect(windowed).toEqual(perAuthor);
      } else {
        paths.perAuthor++;
      }
      expect(await homeFeedPage(db, me!, after, limit, windowPosts)).toEqual(perAuthor);
      // Remembered as narrow after a miss, the reader is read per author: still the same page.
      expect(await homeFeedPage(db, me!, after, limit, windowPosts, narrow)).toEqual(perAuthor);
      if (!windowed) expect(narrow.has(me!)).toBe(true);
      feed.push(...perAuthor.slice(0, limit).map((e) => e.item));
      if (perAuthor.length <= limit) break;
      after = perAuthor[limit - 1]!.key;
    }
    expect(paths.window).toBeGreaterThan(0);
    expect(paths.perAuthor).toBeGreaterThan(0);
    expect(feed).toHaveLength(30 + 1 + 2 + 1);
    expect(feed.slice(-2).map((e) => e.id)).toEqual([quietPosts[1]!.id, quietPosts[0]!.id]);
    expect(feed.filter((e) => e.repost).map((e) => [e.id, e.repost!.by.id])).toEqual([[strangers[45], b1]]);
    // The default window holds every page here (small limits): the same feed.
    expect(await walk((k, n) => homeFeedPage(db, me!, k, n), limit)).toEqual(feed);
  });

  it("remembers a narrow reader for a while, and at most so many of them", () => {
    let now = 0;
    const narrow = new NarrowReaders(1_000, 2, () => now);
    narrow.add("a");
    expect(narrow.has("a")).toBe(true);
    now = 999;
    expect(narrow.has("a")).toBe(true);
    now = 1_000;
    expect(narrow.has("a")).toBe(false);
    narrow.add("a");
    narrow.add("b");
    narrow.add("c"); // the oldest, a, makes room
    expect([narrow.has("a"), narrow.has("b"), narrow.has("c")]).toEqual([false, true, true]);
  });

  it("a thread's ancestors stop after 100 steps, root-most of those first", async () => {
    const [a] = await makeUsers(db, "deep", 1);
    const chain: string[] = [];
    for (let i = 0; i < 105; i++) chain.push((await publish(a!, `level ${i}`, chain[i - 1] ?? null)).id);
    const leaf = await threadPage(db, a!, chain[104]!, undefined, 1);
    expect(leaf!.ancestors.map((p) => p.id)).toEqual(chain.slice(4, 104));
  }, 120_000);

  it("mutes and blocks filter the home feed, a tag and a thread's replies (the viewer filter)", async () => {
    const [me, loud, other] = await makeUsers(db, "mute", 3);
    await follow(db, me!, loud!, at());
    await follow(db, me!, other!, at());
    const root = await publish(other!, `#muted${backend} root`);
    await publish(loud!, `#muted${backend} from loud`, root.id);
    await repost(db, other!, (await publish(loud!, "reposted")).id, at());
    await db.insertInto("mutes").values({ muter_id: me!, muted_id: loud! }).execute();
    expect(await relationship(db, me!, loud!)).toMatchObject({ muting: true, following: true });
    const feed = await walk((k, n) => homeFeedPage(db, me!, k, n), 10);
    expect(feed.map((p) => p.author_id)).toEqual([other]);
    expect((await walk((k, n) => tagPostsPage(db, me!, `muted${backend}`, k, n), 10)).map((p) => p.id)).toEqual([root.id]);
    expect((await threadPage(db, me!, root.id, undefined, 10))!.replies).toEqual([]);
    // Someone else still sees it all.
    expect((await threadPage(db, other!, root.id, undefined, 10))!.replies).toHaveLength(1);
  });
});
