// A like, repost or reply racing a block between the same two users (social.md, "Blocks, mutes
// and reports": these are 403 where a block stands, either way). Whatever the interleaving,
// the outcome must be one some serial order gives: a refused action leaves nothing behind, an
// accepted one is there, nothing is accepted once the block has been answered, and no action
// appears after the block was visible without it (which a like checked before the block but
// committed after it would do). An observer reads block and action in one snapshot, over and
// over, while the races run.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../src/server/http/errors.js";
import { block } from "../../src/server/safety/queries.js";
import { like, repost } from "../../src/server/social/likes.js";
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

/** Lets the event loop turn `n` times: how far one side of a race starts behind the other. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

type Kind = "like" | "repost" | "reply";
const ROUNDS = 4;
const PAIRS = 30;

describe.each(BACKENDS)("likes, reposts and replies racing a block (%s)", (backend) => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(backend); });
  afterAll(() => server.close());

  async function act(kind: Kind, actor: string, postId: string): Promise<"ok" | "forbidden"> {
    const db = server.ctx.db;
    try {
      if (kind === "like") await like(db, actor, postId);
      else if (kind === "repost") await repost(db, actor, postId);
      else await publishPost(db, { authorId: actor, content: "racing a block", replyToId: postId });
      return "ok";
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) return "forbidden";
      throw error;
    }
  }

  /** Per pair, in one snapshot: is there a block either way, and how many of the actor's rows of this kind. */
  async function look(kind: Kind, authors: string[], actors: string[], postIds: string[]): Promise<Array<{ blocked: boolean; rows: number }>> {
    const rows = kind === "reply"
      ? sql`(SELECT count(*)::int FROM posts r WHERE r.author_id = x.actor AND r.reply_to_id = x.post)`
      : sql`(SELECT count(*)::int FROM ${sql.table(kind === "like" ? "likes" : "reposts")} l WHERE l.user_id = x.actor AND l.post_id = x.post)`;
    const result = await sql<{ blocked: boolean; rows: number }>`SELECT
        EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = x.author AND b.blocked_id = x.actor)
          OR (b.blocker_id = x.actor AND b.blocked_id = x.author)) AS blocked, ${rows} AS rows
      FROM unnest(${authors}::uuid[], ${actors}::uuid[], ${postIds}::uuid[]) WITH ORDINALITY AS x(author, actor, post, n)
      ORDER BY x.n`.execute(server.ctx.db);
    return result.rows;
  }

  it.each<Kind>(["like", "repost", "reply"])("a %s racing a block: refused leaves nothing, accepted stays, none lands after the block", async (kind) => {
    const db = server.ctx.db;
    const rand = random(kind.length * 7919);
    const tally = { ok: 0, forbidden: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const authors = await makeUsers(db, `br${kind[0]}a`, PAIRS);
      const actors = await makeUsers(db, `br${kind[0]}b`, PAIRS);
      const postIds: string[] = [];
      for (const author of authors) postIds.push((await publishPost(db, { authorId: author, content: "a post" }))!.post!.id);

      // The observer: a pair once seen blocked without the action must never show it later.
      const seenBlockedWithout = new Set<number>();
      const violations = new Set<string>();
      let racing = true;
      const observer = (async () => {
        while (racing) {
          const states = await look(kind, authors, actors, postIds);
          states.forEach((state, i) => {
            if (state.blocked && state.rows === 0) seenBlockedWithout.add(i);
            else if (state.rows > 0 && seenBlockedWithout.has(i)) violations.add(`pair ${i}: the ${kind} appeared after the block was visible without it`);
          });
          await ticks(1);
        }
      })();

      const outcomes = await Promise.all(authors.map(async (author, i) => {
        const actor = actors[i]!;
        // Either side may block; either may start first, by a few turns of the event loop.
        const [blocker, blocked] = i % 2 === 0 ? [author, actor] : [actor, author];
        const blockDelay = Math.floor(rand() * 4), actDelay = Math.floor(rand() * 4);
        const [, outcome] = await Promise.all([
          ticks(blockDelay).then(() => block(db, blocker, blocked)),
          ticks(actDelay).then(() => act(kind, actor, postIds[i]!)),
        ]);
        return outcome;
      }));
      racing = false;
      await observer;

      const states = await look(kind, authors, actors, postIds);
      outcomes.forEach((outcome, i) => {
        expect(states[i]!.blocked, `pair ${i}`).toBe(true);
        expect(states[i]!.rows, `pair ${i}: ${outcome}`).toBe(outcome === "ok" ? 1 : 0);
        tally[outcome]++;
      });
      expect([...violations]).toEqual([]);

      // Once the block has been answered, the action is refused and writes nothing.
      for (let i = 0; i < PAIRS; i += 5) expect(await act(kind, actors[i]!, postIds[i]!)).toBe("forbidden");
      const after = await look(kind, authors, actors, postIds);
      expect(after.map((s) => s.rows)).toEqual(states.map((s) => s.rows));
    }
    // Which side wins each race is up to the scheduler; shown for the record.
    console.log(`${backend}, ${kind}: ${tally.ok} accepted before the block, ${tally.forbidden} refused`);
  }, 120_000);
});
