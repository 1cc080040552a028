import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkUsername } from "../../src/api/index.js";
import { seed } from "../../src/server/seed.js";
import { startTestServer, type TestServer } from "./harness.js";

describe("seed", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("embedded");
  });
  afterAll(() => server.close());

  it("creates valid, unique users and the requested posts, twice in a row", async () => {
    for (let run = 0; run < 2; run++) {
      const result = await seed(server.ctx.db, { users: 1200, posts: 500, sharedTimestamp: 60, follows: 0, likes: 0, reposts: 0, replies: 0 });
      expect(result).toMatchObject({ users: 1200, posts: 500 });
      await new Promise((r) => setTimeout(r, 5));
    }
    const users = await server.ctx.db.selectFrom("users").select("username").execute();
    expect(users).toHaveLength(2400);
    for (const { username } of users) expect(checkUsername(username), username).toBeNull();
    const posts = await server.ctx.db.selectFrom("posts").select(({ fn }) => fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    expect(Number(posts.n)).toBe(1000);
  });

  it("grows a heavy-tailed social graph: follows, replies to older posts, likes and reposts, counters equal to rows", async () => {
    const result = await seed(server.ctx.db, { users: 300, posts: 3_000, follows: 10, replies: 25, likes: 2, reposts: 5 });
    expect(result.follows).toBeGreaterThan(300 * 10 * 0.8);
    expect(result.replies).toBeGreaterThan(3_000 * 0.15);
    const db = server.ctx.db;
    const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(db)).rows[0]!;
    // A few users are followed by many: the most followed has far more than the average.
    const spread = await one(sql<{ top: number; avg: number }>`SELECT max(followers_count) AS top, avg(followers_count)::float8 AS avg
      FROM users WHERE followers_count > 0 OR following_count > 0`);
    expect(Number(spread.top)).toBeGreaterThan(5 * Number(spread.avg));
    // Every counter equals its rows (the seed writes through the same triggers as the API).
    const wrong = await one(sql<{ n: string }>`SELECT count(*) AS n FROM users u WHERE
      followers_count <> (SELECT count(*) FROM follows WHERE followee_id = u.id)
      OR posts_count <> (SELECT count(*) FROM posts WHERE author_id = u.id)`);
    expect(Number(wrong.n)).toBe(0);
    const wrongPosts = await one(sql<{ n: string }>`SELECT count(*) AS n FROM posts p WHERE
      like_count <> (SELECT count(*) FROM likes WHERE post_id = p.id)
      OR repost_count <> (SELECT count(*) FROM reposts WHERE post_id = p.id)
      OR reply_count <> (SELECT count(*) FROM posts r WHERE r.reply_to_id = p.id)`);
    expect(Number(wrongPosts.n)).toBe(0);
    // Replies answer an older post that exists; likes come after their post.
    const badReplies = await one(sql<{ n: string }>`SELECT count(*) AS n FROM posts r LEFT JOIN posts p ON p.id = r.reply_to_id
      WHERE r.reply_to_id IS NOT NULL AND (p.id IS NULL OR p.created_at >= r.created_at)`);
    expect(Number(badReplies.n)).toBe(0);
    const early = await one(sql<{ n: string }>`SELECT count(*) AS n FROM likes l JOIN posts p ON p.id = l.post_id WHERE l.created_at < p.created_at`);
    expect(Number(early.n)).toBe(0);
    expect(Number((await one(sql<{ n: string }>`SELECT count(*) AS n FROM post_mentions`)).n)).toBeGreaterThan(0);
    expect(Number((await one(sql<{ n: string }>`SELECT count(*) AS n FROM post_tags`)).n)).toBeGreaterThan(0);
  });
});
