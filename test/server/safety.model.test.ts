// Model-based test of blocks and mutes (social.md, "Blocks, mutes and reports"): random
// blocks, unblocks, mutes, unmutes, follows, posts and replies among five users, through
// the HTTP routes where they exist (blocks, mutes, search, the block and mute lists) and the
// social functions otherwise (follows, posts, followers/following, home feed, threads).
// After each sequence every list of every user is compared with a plain model of the table.
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../src/server/http/errors.js";
import { homeFeedPage, threadPage } from "../../src/server/social/feeds.js";
import { follow, followersPage, followingPage } from "../../src/server/social/follows.js";
import { publishPost } from "../../src/server/social/publish.js";
import { BACKENDS, signUp, startTestServer, type TestClient, type TestServer } from "./harness.js";

const USERS = 5;
const WORD = "quokka";

interface ModelPost { id: string; author: number; replyTo: string | null }

class Model {
  /** Insertion-ordered sets of "a>b": the lists are most recent first, so their reverse. */
  blocks = new Set<string>();
  mutes = new Set<string>();
  follows = new Set<string>();
  posts: ModelPost[] = [];

  blockedEither(a: number, b: number): boolean { return this.blocks.has(`${a}>${b}`) || this.blocks.has(`${b}>${a}`); }
  /** Hidden from `viewer`'s post lists (home, global, search, thread replies and ancestors). */
  hides(viewer: number, author: number): boolean { return this.blockedEither(viewer, author) || this.mutes.has(`${viewer}>${author}`); }
  static pairs(set: Set<string>): Array<[number, number]> { return [...set].map((k) => k.split(">").map(Number) as [number, number]); }
  static move(set: Set<string>, key: string, on: boolean): void {
    if (on) set.add(key); else set.delete(key);
  }
}

interface Real { server: TestServer; ids: string[]; clients: TestClient[] }
type Cmd = fc.AsyncCommand<Model, Real>;

class BlockCmd implements Cmd {
  constructor(readonly kind: "block" | "mute", readonly a: number, readonly b: number, readonly on: boolean) {}
  check = () => this.a !== this.b;
  async run(m: Model, r: Real) {
    const res = await r.clients[this.a]![this.on ? "post" : "delete"](`/api/v1/users/${r.ids[this.b]}/${this.kind}`);
    expect(res.statusCode).toBe(200);
    const key = `${this.a}>${this.b}`;
    if (this.kind === "block") {
      Model.move(m.blocks, key, this.on);
      if (this.on) { m.follows.delete(key); m.follows.delete(`${this.b}>${this.a}`); }
    } else {
      Model.move(m.mutes, key, this.on);
    }
    expect(res.json().relationship).toEqual({
      following: m.follows.has(key), followed_by: m.follows.has(`${this.b}>${this.a}`),
      blocking: m.blocks.has(key), blocked_by: m.blocks.has(`${this.b}>${this.a}`), muting: m.mutes.has(key),
    });
  }
  toString = () => `${this.on ? "" : "un"}${this.kind}(${this.a},${this.b})`;
}

class FollowCmd implements Cmd {
  constructor(readonly a: number, readonly b: number) {}
  check = () => this.a !== this.b;
  async run(m: Model, r: Real) {
    const attempt = follow(r.server.ctx.db, r.ids[this.a]!, r.ids[this.b]!, r.server.ctx.database.newTimestamp());
    if (m.blockedEither(this.a, this.b)) {
      await expect(attempt).rejects.toBeInstanceOf(ApiError);
    } else {
      await attempt;
      m.follows.add(`${this.a}>${this.b}`);
    }
  }
  toString = () => `follow(${this.a},${this.b})`;
}

class PostCmd implements Cmd {
  constructor(readonly a: number, readonly parent: number | null) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const parent = this.parent === null || m.posts.length === 0 ? null : m.posts[this.parent % m.posts.length]!;
    const attempt = publishPost(r.server.ctx.db, {
      authorId: r.ids[this.a]!, content: `${WORD} ${m.posts.length}`, replyToId: parent?.id ?? null,
      at: r.server.ctx.database.newTimestamp(),
    });
    if (parent && parent.author !== this.a && m.blockedEither(this.a, parent.author)) {
      await expect(attempt).rejects.toBeInstanceOf(ApiError);
      return;
    }
    const made = await attempt;
    m.posts.push({ id: made!.post!.id, author: this.a, replyTo: parent?.id ?? null });
  }
  toString = () => `post(${this.a}, reply to #${this.parent})`;
}

async function walkHttp<T>(client: TestClient, url: string, field: string, limit: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; ; page++) {
    const res = await client.get(`${url}${url.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    const body = res.json() as Record<string, unknown> & { next_cursor: string | null };
    out.push(...(body[field] as T[]));
    cursor = body.next_cursor;
    if (!cursor) return out;
    if (page > 200) throw new Error(`${url} never ended`);
  }
}

async function checkAll(m: Model, r: Real, prefix: string, limit: number): Promise<void> {
  const db = r.server.ctx.db;
  const index = new Map(r.ids.map((id, i) => [id, i]));
  const postIndex = new Map(m.posts.map((p, i) => [p.id, i]));
  const newestFirst = (posts: ModelPost[]) => [...posts].reverse().map((p) => p.id);
  for (let v = 0; v < USERS; v++) {
    const me = r.ids[v]!;
    const client = r.clients[v]!;
    const visible = m.posts.filter((p) => !m.hides(v, p.author));

    const found = await walkHttp<{ id: string }>(client, `/api/v1/search/posts?q=${WORD}`, "posts", limit);
    expect(found.map((p) => p.id), `search of ${v}`).toEqual(newestFirst(visible));

    const users = (await client.get(`/api/v1/search/users?q=${prefix}&limit=50`)).json() as { users: Array<{ id: string; username: string }> };
    const expectedUsers = r.ids.map((_, u) => u).filter((u) => !m.blockedEither(v, u)).map((u) => r.ids[u]!);
    expect(users.users.map((u) => u.id).sort(), `users search of ${v}`).toEqual(expectedUsers.sort());

    for (const [kind, set] of [["blocks", m.blocks], ["mutes", m.mutes]] as const) {
      const listed = await walkHttp<{ id: string }>(client, `/api/v1/users/me/${kind}`, "users", limit);
      const expected = Model.pairs(set).filter(([a]) => a === v).map(([, b]) => r.ids[b]!).reverse();
      expect(listed.map((u) => u.id), `${kind} of ${v}`).toEqual(expected);
    }

    for (let u = 0; u < USERS; u++) {
      for (const [name, page, side] of [["followers", followersPage, 1], ["following", followingPage, 0]] as const) {
        const got = (await page(db, me, r.ids[u]!, undefined, 100)).map((e) => index.get(e.item.id));
        const expected = Model.pairs(m.follows).filter((pair) => pair[side] === u).map((pair) => pair[1 - side]!)
          .filter((f) => !m.blockedEither(v, f)).reverse();
        expect(got, `${name} of ${u} seen by ${v}`).toEqual(expected);
      }
    }

    const home = (await homeFeedPage(db, me, undefined, 100)).map((e) => e.item.id);
    const homeExpected = m.posts.filter((p) => p.author === v || (m.follows.has(`${v}>${p.author}`) && !m.hides(v, p.author)));
    expect(home, `home of ${v}`).toEqual(newestFirst(homeExpected));

    for (const p of m.posts) {
      const thread = await threadPage(db, me, p.id, undefined, 100);
      if (m.blockedEither(v, p.author)) {
        expect(thread, `thread of #${postIndex.get(p.id)} seen by ${v}`).toBeUndefined();
        continue;
      }
      expect(thread?.post.id).toBe(p.id);
      const replies = m.posts.filter((c) => c.replyTo === p.id && !m.hides(v, c.author)).map((c) => c.id);
      expect(thread!.replies.map((e) => e.item.id), `replies of #${postIndex.get(p.id)} seen by ${v}`).toEqual(replies);
      const ancestors: string[] = [];
      for (let up = m.posts.find((x) => x.id === p.replyTo); up; up = m.posts.find((x) => x.id === up!.replyTo)) {
        if (!m.hides(v, up.author)) ancestors.unshift(up.id);
      }
      expect(thread!.ancestors.map((a) => a.id), `ancestors of #${postIndex.get(p.id)} seen by ${v}`).toEqual(ancestors);
    }
  }
}

const user = fc.integer({ min: 0, max: USERS - 1 });
const commands = [
  fc.tuple(fc.constantFrom("block" as const, "mute" as const), user, user, fc.boolean()).map(([k, a, b, on]) => new BlockCmd(k, a, b, on)),
  fc.tuple(fc.constantFrom("block" as const, "mute" as const), user, user).map(([k, a, b]) => new BlockCmd(k, a, b, true)),
  fc.tuple(user, user).map(([a, b]) => new FollowCmd(a, b)),
  user.map((a) => new PostCmd(a, null)),
  fc.tuple(user, fc.nat({ max: 40 })).map(([a, p]) => new PostCmd(a, p)),
];

describe.each(BACKENDS)("blocks and mutes against a model on %s", (backend) => {
  let server: TestServer;
  const real: Partial<Real> = {};
  const prefix = `mdl${backend[0]}${Math.floor(Math.random() * 9000 + 1000)}`;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const made = [];
    for (let i = 0; i < USERS; i++) made.push(await signUp(server.app, `${prefix}x${i}`));
    Object.assign(real, { server, ids: made.map((u) => u.auth.user.id), clients: made.map((u) => u.client) });
  }, 120_000);
  afterAll(() => server.close());

  it("every list of every user follows the contract's table, whatever happened before", async () => {
    await fc.assert(fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), fc.integer({ min: 1, max: 4 }), async (cmds, limit) => {
      const { db } = server.ctx;
      // A clean graph for each run (DELETE, not TRUNCATE: the counter triggers see it).
      await db.deleteFrom("posts").execute();
      await db.deleteFrom("follows").execute();
      await db.deleteFrom("blocks").execute();
      await db.deleteFrom("mutes").execute();
      const model = new Model();
      await fc.asyncModelRun(() => ({ model, real: real as Real }), cmds);
      await checkAll(model, real as Real, prefix, limit);
      const counts = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users u
        WHERE u.followers_count <> (SELECT count(*) FROM follows f WHERE f.followee_id = u.id)
           OR u.following_count <> (SELECT count(*) FROM follows f WHERE f.follower_id = u.id)`.execute(db);
      expect(counts.rows[0]!.n).toBe(0);
    }), { numRuns: backend === "embedded" ? 15 : 25 });
  }, 400_000);
});
