// Model-based test of the home feed: random sequences of follow, unfollow, post, reply,
// repost, unrepost and delete by a few users, run against the real functions on a real
// database and against a plain in-memory model of social.md's entry rule. After every
// sequence (and at random points in it) each user's feed, walked page by page with random
// page sizes, must equal the model's — entries, order, repost attributions and counts.
// Direct reads use a window of 1, 2 or 64 posts per entry (social/feeds.ts homeFeedPage), so
// pages are answered by the window plan, by its per-author fallback, and by both in one walk.
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PageKey } from "../../src/server/social/common.js";
import { homeFeedPage } from "../../src/server/social/feeds.js";
import { follow, unfollow } from "../../src/server/social/follows.js";
import { repost, unrepost } from "../../src/server/social/likes.js";
import { publishPost } from "../../src/server/social/publish.js";
import { BACKENDS, TestClient, startTestServer, type TestServer } from "./harness.js";
import { makeUsers } from "./social-helpers.js";

const USERS = 4;

interface ModelPost { id: string; author: number; at: string; replyTo: string | null }
interface ModelRepost { id: string; by: number; post: string; at: string }

class Model {
  follows = new Set<string>();
  posts = new Map<string, ModelPost>();
  /** Key `${by}|${post}`. */
  reposts = new Map<string, ModelRepost>();
  /** Posts in creation order, deleted ones included (commands pick by index). */
  history: string[] = [];

  followed(u: number): Set<number> {
    const set = new Set<number>([u]);
    for (const f of this.follows) {
      const [a, b] = f.split(">").map(Number);
      if (a === u) set.add(b!);
    }
    return set;
  }

  /** The contract's entry rule, newest first by (entry time, entry id). */
  feed(u: number): Array<{ post: string; by: number | null; at: string; id: string }> {
    const authors = this.followed(u);
    const entries: Array<{ post: string; by: number | null; at: string; id: string }> = [];
    for (const p of this.posts.values()) if (authors.has(p.author)) entries.push({ post: p.id, by: null, at: p.at, id: p.id });
    for (const r of this.reposts.values()) {
      const original = this.posts.get(r.post)!;
      if (authors.has(r.by) && !authors.has(original.author)) entries.push({ post: r.post, by: r.by, at: r.at, id: r.id });
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return entries.sort((x, y) => cmp(y.at, x.at) || cmp(y.id, x.id));
  }

  existing(index: number): ModelPost | undefined {
    const live = this.history.filter((id) => this.posts.has(id));
    return live.length === 0 ? undefined : this.posts.get(live[index % live.length]!);
  }
}

interface Real { server: TestServer; users: string[]; /** When set, feeds are read over HTTP as these users. */ clients?: TestClient[] }

const ts = (server: TestServer) => server.ctx.database.newTimestamp();

class FollowCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly a: number, readonly b: number, readonly on: boolean) {}
  check = () => this.a !== this.b;
  async run(m: Model, r: Real) {
    const { db } = r.server.ctx;
    if (this.on) await follow(db, r.users[this.a]!, r.users[this.b]!, ts(r.server));
    else await unfollow(db, r.users[this.a]!, r.users[this.b]!);
    // Following again keeps the first follow; either way the rule only asks whether.
    if (this.on) m.follows.add(`${this.a}>${this.b}`);
    else m.follows.delete(`${this.a}>${this.b}`);
  }
  toString = () => `${this.on ? "follow" : "unfollow"}(${this.a}, ${this.b})`;
}

class PostCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly author: number, readonly replyTo: number | null) {}
  check = (m: Readonly<Model>) => this.replyTo === null || m.existing(this.replyTo) !== undefined;
  async run(m: Model, r: Real) {
    const parent = this.replyTo === null ? null : m.existing(this.replyTo)!.id;
    const made = await publishPost(r.server.ctx.db, {
      authorId: r.users[this.author]!, content: `post by ${this.author}`, replyToId: parent, at: ts(r.server),
    });
    const post = made!.post!;
    m.posts.set(post.id, { id: post.id, author: this.author, at: post.created_at, replyTo: parent });
    m.history.push(post.id);
  }
  toString = () => (this.replyTo === null ? `post(${this.author})` : `reply(${this.author}, #${this.replyTo})`);
}

class RepostCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly by: number, readonly post: number, readonly on: boolean) {}
  check = (m: Readonly<Model>) => m.existing(this.post) !== undefined;
  async run(m: Model, r: Real) {
    const { db } = r.server.ctx;
    const target = m.existing(this.post)!;
    const user = r.users[this.by]!;
    if (this.on) await repost(db, user, target.id, ts(r.server));
    else await unrepost(db, user, target.id);
    const key = `${this.by}|${target.id}`;
    if (!this.on) {
      m.reposts.delete(key);
    } else if (!m.reposts.has(key)) {
      // The repost's id and time are the database's to choose; the rule is the model's.
      const row = await sql<{ id: string; at: string }>`SELECT id,
        to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
        FROM reposts WHERE user_id = ${user}::uuid AND post_id = ${target.id}::uuid`.execute(db);
      m.reposts.set(key, { id: row.rows[0]!.id, by: this.by, post: target.id, at: row.rows[0]!.at });
    }
  }
  toString = () => `${this.on ? "repost" : "unrepost"}(${this.by}, #${this.post})`;
}

class DeleteCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly post: number) {}
  check = (m: Readonly<Model>) => m.existing(this.post) !== undefined;
  async run(m: Model, r: Real) {
    const target = m.existing(this.post)!;
    await r.server.ctx.db.deleteFrom("posts").where("id", "=", target.id).execute();
    m.posts.delete(target.id);
    for (const [key, rp] of m.reposts) if (rp.post === target.id) m.reposts.delete(key);
  }
  toString = () => `delete(#${this.post})`;
}

class CheckCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly limits: number[], readonly windowPerEntry: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    await checkFeeds(m, r, this.limits, this.windowPerEntry);
  }
  toString = () => `check(${this.limits.join(",")}; window ${this.windowPerEntry})`;
}

/** The same walk through GET /api/v1/timeline/home, following next_cursor (entries without keys). */
async function checkFeedsOverHttp(m: Model, r: Real, clients: TestClient[], limits: number[]): Promise<void> {
  const idOf = new Map(r.users.map((id, i) => [id, i]));
  for (let u = 0; u < USERS; u++) {
    const got: Array<{ post: string; by: number | null }> = [];
    let cursor: string | null = null;
    for (let page = 0; ; page++) {
      const limit = limits[page % limits.length]!;
      const res = await clients[u]!.get(`/api/v1/timeline/home?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { posts: Array<{ id: string; reply_count: number; repost_count: number; repost?: { by: { id: string } } }>; next_cursor: string | null; has_more: boolean };
      for (const post of body.posts) {
        got.push({ post: post.id, by: post.repost ? idOf.get(post.repost.by.id)! : null });
        const replies = [...m.posts.values()].filter((p) => p.replyTo === post.id).length;
        const reposts = [...m.reposts.values()].filter((p) => p.post === post.id).length;
        expect({ reply_count: post.reply_count, repost_count: post.repost_count }).toEqual({ reply_count: replies, repost_count: reposts });
      }
      expect(body.next_cursor === null).toBe(!body.has_more);
      if (!body.has_more) break;
      cursor = body.next_cursor;
      if (page > 500) throw new Error("the feed never ended");
    }
    expect(got, `home feed of user ${u} over HTTP`).toEqual(m.feed(u).map(({ post, by }) => ({ post, by })));
  }
}

async function checkFeeds(m: Model, r: Real, limits: number[], windowPerEntry: number): Promise<void> {
  if (r.clients) return checkFeedsOverHttp(m, r, r.clients, limits);
  const idOf = new Map(r.users.map((id, i) => [id, i]));
  for (let u = 0; u < USERS; u++) {
    const got: Array<{ post: string; by: number | null; at: string; id: string }> = [];
    let after: PageKey | undefined;
    for (let page = 0; ; page++) {
      const limit = limits[page % limits.length]!;
      const rows = await homeFeedPage(r.server.ctx.db, r.users[u]!, after, limit, windowPerEntry * (limit + 1));
      const shown = rows.slice(0, limit);
      for (const row of shown) {
        got.push({ post: row.item.id, by: row.item.repost ? idOf.get(row.item.repost.by.id)! : null, at: row.key.createdAt, id: row.key.id });
        // Counts on every entry are the model's.
        const replies = [...m.posts.values()].filter((p) => p.replyTo === row.item.id).length;
        const reposts = [...m.reposts.values()].filter((p) => p.post === row.item.id).length;
        expect({ reply_count: row.item.reply_count, repost_count: row.item.repost_count }).toEqual({ reply_count: replies, repost_count: reposts });
      }
      if (rows.length <= limit) break;
      after = shown[shown.length - 1]!.key;
      if (page > 500) throw new Error("the feed never ended");
    }
    expect(got, `home feed of user ${u}`).toEqual(m.feed(u));
  }
}

const user = fc.integer({ min: 0, max: USERS - 1 });
const postIndex = fc.nat({ max: 50 });
const windowPerEntry = fc.constantFrom(1, 2, 64);
const commands = [
  fc.tuple(user, user, fc.boolean()).map(([a, b, on]) => new FollowCmd(a, b, on)),
  fc.tuple(user, user).map(([a, b]) => new FollowCmd(a, b, true)),
  user.map((a) => new PostCmd(a, null)),
  fc.tuple(user, postIndex).map(([a, p]) => new PostCmd(a, p)),
  fc.tuple(user, postIndex, fc.boolean()).map(([a, p, on]) => new RepostCmd(a, p, on)),
  fc.tuple(user, postIndex).map(([a, p]) => new RepostCmd(a, p, true)),
  postIndex.map((p) => new DeleteCmd(p)),
  fc.tuple(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), windowPerEntry).map(([l, w]) => new CheckCmd(l, w)),
];

describe.each(BACKENDS)("the home feed against a model on %s", (backend) => {
  let server: TestServer;
  let users: string[];
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await makeUsers(server.ctx.db, "model", USERS);
  });
  afterAll(() => server.close());

  it("every page of every user's feed is the model's, whatever happened before", async () => {
    await fc.assert(fc.asyncProperty(
      fc.commands(commands, { maxCommands: 40 }),
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
      windowPerEntry,
      async (cmds, finalLimits, finalWindow) => {
        const { db } = server.ctx;
        // A clean graph for each run (DELETE, not TRUNCATE: the counter triggers see it).
        await db.deleteFrom("posts").execute();
        await db.deleteFrom("follows").execute();
        const model = new Model();
        const real: Real = { server, users };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        await checkFeeds(model, real, finalLimits, finalWindow);
      },
    ), { numRuns: backend === "embedded" ? 40 : 60 });
  }, 300_000);

  it("the same, read through GET /api/v1/timeline/home with its cursors", async () => {
    const names = await server.ctx.db.selectFrom("users").select(["id", "username"]).where("id", "in", users).execute();
    const clients = await Promise.all(users.map(async (id) => {
      const { token } = await server.ctx.accessTokens.issue(id, names.find((n) => n.id === id)!.username);
      return new TestClient(server.app, token);
    }));
    await fc.assert(fc.asyncProperty(
      fc.commands(commands, { maxCommands: 30 }),
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
      async (cmds, finalLimits) => {
        const { db } = server.ctx;
        await db.deleteFrom("posts").execute();
        await db.deleteFrom("follows").execute();
        const model = new Model();
        const real: Real = { server, users, clients };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        await checkFeeds(model, real, finalLimits, 64); // the route's own window
      },
    ), { numRuns: 10 });
  }, 300_000);
});
