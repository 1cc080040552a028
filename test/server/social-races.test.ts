// Counters under races, on real databases: many concurrent likes/unlikes of one post, and
// follow/unfollow storms in both directions, must leave every counter equal to its rows.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { follow, unfollow } from "../../src/server/social/follows.js";
import { like, unlike } from "../../src/server/social/likes.js";
import { publishPost } from "../../src/server/social/publish.js";
import { BACKENDS, startTestServer, type TestServer } from "./harness.js";
import { makeUsers } from "./social-helpers.js";

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe.each(BACKENDS)("social counters under races on %s", (backend) => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(backend); });
  afterAll(() => server.close());

  it("200 users liking and unliking one post at once leave like_count equal to the rows", async () => {
    const db = server.ctx.db;
    const users = await makeUsers(db, "racer", 200);
    const made = await publishPost(db, { authorId: users[0]!, content: "popular" });
    const postId = made!.post!.id;
    const rand = random(19);
    // Each user runs its own sequence in order; all 200 sequences run at once.
    const plans = users.map(() => Array.from({ length: 1 + Math.floor(rand() * 5) }, () => rand() < 0.6));
    const started = performance.now();
    await Promise.all(users.map(async (u, i) => {
      for (const doLike of plans[i]!) await (doLike ? like(db, u, postId) : unlike(db, u, postId));
    }));
    const ms = performance.now() - started;
    const expected = plans.filter((p) => p[p.length - 1]).length;
    const row = await sql<{ like_count: number; rows: number }>`SELECT like_count,
      (SELECT count(*)::int FROM likes WHERE post_id = ${postId}::uuid) AS rows FROM posts WHERE id = ${postId}::uuid`.execute(db);
    expect(row.rows[0]).toEqual({ like_count: expected, rows: expected });
    console.log(`${backend}: ${plans.flat().length} like/unlike calls by 200 users on one post in ${ms.toFixed(0)} ms`);
  }, 120_000);

  it("follow/unfollow storms, both directions at once, leave both users' counts equal to the rows", async () => {
    const db = server.ctx.db;
    const users = await makeUsers(db, "storm", 12);
    const rand = random(7);
    // 40 concurrent workers, each a chain of follows and unfollows between random pairs:
    // A→B and B→A race each other, as do several writers on one pair.
    await Promise.all(Array.from({ length: 40 }, async () => {
      for (let k = 0; k < 15; k++) {
        const a = users[Math.floor(rand() * users.length)]!;
        let b = users[Math.floor(rand() * users.length)]!;
        if (a === b) b = users[(users.indexOf(a) + 1) % users.length]!;
        await (rand() < 0.55 ? follow(db, a, b) : unfollow(db, a, b));
      }
    }));
    const wrong = await sql`SELECT u.id, u.followers_count, u.following_count,
        (SELECT count(*)::int FROM follows f WHERE f.followee_id = u.id) AS followers,
        (SELECT count(*)::int FROM follows f WHERE f.follower_id = u.id) AS following
      FROM users u WHERE u.id IN (${sql.join(users)})
        AND (u.followers_count <> (SELECT count(*) FROM follows f WHERE f.followee_id = u.id)
          OR u.following_count <> (SELECT count(*) FROM follows f WHERE f.follower_id = u.id))`.execute(db);
    expect(wrong.rows).toEqual([]);
    const total = await sql<{ n: number }>`SELECT count(*)::int AS n FROM follows WHERE follower_id IN (${sql.join(users)})`.execute(db);
    expect(total.rows[0]!.n).toBeGreaterThan(0);
  }, 120_000);
});
