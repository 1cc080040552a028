// Model-based test of social.md's notification rules: random sequences of follow, unfollow,
// like, unlike, repost, unrepost, post (with mentions, as a reply or not), delete, mute and
// unmute among 4 users, run against the real functions on a real database (the triggers make
// the notifications) and against a plain model of the rules. After every sequence (and at
// random points in it) each user's notifications, walked page by page, and unread_count must
// equal the model's: nothing for your own actions, a reply that mentions is one reply, undo
// removes, redo makes it anew (unread), at most one per actor/type/post, mutes hide.
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SerialKey } from "../../src/server/db/pagination.js";
import { notificationsPage, unreadCount, markRead } from "../../src/server/notifications/queries.js";
import { follow, unfollow } from "../../src/server/social/follows.js";
import { like, repost, unlike, unrepost } from "../../src/server/social/likes.js";
import { publishPost } from "../../src/server/social/publish.js";
import { BACKENDS, startTestServer, type TestServer } from "./harness.js";
import { makeUsers } from "./social-helpers.js";

const USERS = 4;

interface ModelPost { id: string; author: number; replyTo: string | null }
interface ModelNote { recipient: number; actor: number; type: string; post: string | null; read: boolean; seq: number }

class Model {
  follows = new Set<string>();
  likes = new Set<string>();
  reposts = new Set<string>();
  mutes = new Set<string>();
  posts = new Map<string, ModelPost>();
  history: string[] = [];
  notes = new Map<string, ModelNote>();
  seq = 0;

  key = (r: number, a: number, type: string, post: string | null) => `${r}|${a}|${type}|${post ?? "-"}`;
  add(r: number, a: number, type: string, post: string | null): void {
    if (r === a) return;
    const k = this.key(r, a, type, post);
    if (!this.notes.has(k)) this.notes.set(k, { recipient: r, actor: a, type, post, read: false, seq: this.seq++ });
  }
  remove(r: number, a: number, type: string, post: string | null): void {
    this.notes.delete(this.key(r, a, type, post));
  }
  existing(index: number): ModelPost | undefined {
    const live = this.history.filter((id) => this.posts.has(id));
    return live.length === 0 ? undefined : this.posts.get(live[index % live.length]!);
  }
  /** What user u is shown, as sorted keys, and how many of those are unread. */
  shown(u: number): { keys: string[]; unread: number } {
    const visible = [...this.notes.values()].filter((n) => n.recipient === u && !this.mutes.has(`${u}>${n.actor}`));
    return { keys: visible.map((n) => this.key(n.recipient, n.actor, n.type, n.post)).sort(), unread: visible.filter((n) => !n.read).length };
  }
}

interface Real { server: TestServer; users: string[]; names: string[] }
type Cmd = fc.AsyncCommand<Model, Real>;

class FollowCmd implements Cmd {
  constructor(readonly a: number, readonly b: number, readonly on: boolean) {}
  check = () => this.a !== this.b;
  async run(m: Model, r: Real) {
    const { db } = r.server.ctx;
    if (this.on) await follow(db, r.users[this.a]!, r.users[this.b]!);
    else await unfollow(db, r.users[this.a]!, r.users[this.b]!);
    const k = `${this.a}>${this.b}`;
    if (this.on && !m.follows.has(k)) { m.follows.add(k); m.add(this.b, this.a, "follow", null); }
    if (!this.on && m.follows.has(k)) { m.follows.delete(k); m.remove(this.b, this.a, "follow", null); }
  }
  toString = () => `${this.on ? "follow" : "unfollow"}(${this.a}, ${this.b})`;
}

class MarkCmd implements Cmd {
  constructor(readonly kind: "like" | "repost", readonly by: number, readonly post: number, readonly on: boolean) {}
  check = (m: Readonly<Model>) => m.existing(this.post) !== undefined;
  async run(m: Model, r: Real) {
    const { db } = r.server.ctx;
    const target = m.existing(this.post)!;
    const user = r.users[this.by]!;
    const fn = this.kind === "like" ? (this.on ? like : unlike) : (this.on ? repost : unrepost);
    await fn(db, user, target.id);
    const set = this.kind === "like" ? m.likes : m.reposts;
    const k = `${this.by}|${target.id}`;
    if (this.on && !set.has(k)) { set.add(k); m.add(target.author, this.by, this.kind, target.id); }
    if (!this.on && set.has(k)) { set.delete(k); m.remove(target.author, this.by, this.kind, target.id); }
  }
  toString = () => `${this.on ? "" : "un"}${this.kind}(${this.by}, #${this.post})`;
}

class PostCmd implements Cmd {
  constructor(readonly author: number, readonly replyTo: number | null, readonly mentions: number[]) {}
  check = (m: Readonly<Model>) => this.replyTo === null || m.existing(this.replyTo) !== undefined;
  async run(m: Model, r: Real) {
    const parent = this.replyTo === null ? undefined : m.existing(this.replyTo)!;
    const content = ["hi", ...this.mentions.map((u) => `@${r.names[u]}`)].join(" ");
    const made = await publishPost(r.server.ctx.db, { authorId: r.users[this.author]!, content, replyToId: parent?.id ?? null });
    const post = made!.post!;
    m.posts.set(post.id, { id: post.id, author: this.author, replyTo: parent?.id ?? null });
    m.history.push(post.id);
    if (parent) m.add(parent.author, this.author, "reply", post.id);
    for (const u of new Set(this.mentions)) if (u !== parent?.author) m.add(u, this.author, "mention", post.id);
  }
  toString = () => `post(${this.author}${this.replyTo === null ? "" : `, reply to #${this.replyTo}`}, @[${this.mentions}])`;
}

class DeleteCmd implements Cmd {
  constructor(readonly post: number) {}
  check = (m: Readonly<Model>) => m.existing(this.post) !== undefined;
  async run(m: Model, r: Real) {
    const target = m.existing(this.post)!;
    await r.server.ctx.db.deleteFrom("posts").where("id", "=", target.id).execute();
    m.posts.delete(target.id);
    for (const set of [m.likes, m.reposts]) for (const k of set) if (k.endsWith(`|${target.id}`)) set.delete(k);
    for (const [k, n] of m.notes) if (n.post === target.id) m.notes.delete(k);
  }
  toString = () => `delete(#${this.post})`;
}

class MuteCmd implements Cmd {
  constructor(readonly a: number, readonly b: number, readonly on: boolean) {}
  check = () => this.a !== this.b;
  async run(m: Model, r: Real) {
    const [a, b] = [r.users[this.a]!, r.users[this.b]!];
    if (this.on) await sql`INSERT INTO mutes (muter_id, muted_id) VALUES (${a}::uuid, ${b}::uuid) ON CONFLICT DO NOTHING`.execute(r.server.ctx.db);
    else await sql`DELETE FROM mutes WHERE muter_id = ${a}::uuid AND muted_id = ${b}::uuid`.execute(r.server.ctx.db);
    if (this.on) m.mutes.add(`${this.a}>${this.b}`);
    else m.mutes.delete(`${this.a}>${this.b}`);
  }
  toString = () => `${this.on ? "mute" : "unmute"}(${this.a}, ${this.b})`;
}

class ReadAllCmd implements Cmd {
  constructor(readonly u: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    await markRead(r.server.ctx.db, r.users[this.u]!, undefined);
    for (const n of m.notes.values()) if (n.recipient === this.u) n.read = true;
  }
  toString = () => `readAll(${this.u})`;
}

class CheckCmd implements Cmd {
  constructor(readonly limit: number) {}
  check = () => true;
  run = (m: Model, r: Real) => checkAll(m, r, this.limit);
  toString = () => `check(${this.limit})`;
}

async function checkAll(m: Model, r: Real, limit: number): Promise<void> {
  const index = new Map(r.users.map((id, i) => [id, i]));
  for (let u = 0; u < USERS; u++) {
    const got: Array<{ key: string; id: bigint; seqOrder: string; read: boolean }> = [];
    let after: SerialKey | undefined;
    for (let page = 0; page < 500; page++) {
      const rows = await notificationsPage(r.server.ctx.db, r.users[u]!, after, limit);
      const shown = rows.slice(0, limit);
      for (const n of shown) {
        const k = m.key(u, index.get(n.actor.id)!, n.type, n.post?.id ?? null);
        got.push({ key: k, id: BigInt(n.id), seqOrder: k, read: n.read });
      }
      if (rows.length <= limit) break;
      after = { id: shown[shown.length - 1]!.id };
    }
    const expected = m.shown(u);
    expect(got.map((g) => g.key).sort(), `notifications of user ${u}`).toEqual(expected.keys);
    // Newest first, each once; read flags and the unread count are the model's.
    for (let i = 1; i < got.length; i++) expect(got[i - 1]!.id > got[i]!.id).toBe(true);
    for (const g of got) expect(g.read, g.key).toBe(m.notes.get(g.key)!.read);
    // Model order: a redo is newer than anything before it.
    const bySeq = [...got].sort((x, y) => m.notes.get(y.key)!.seq - m.notes.get(x.key)!.seq).map((g) => g.key);
    expect(got.map((g) => g.key), `order for user ${u}`).toEqual(bySeq);
    expect(await unreadCount(r.server.ctx.db, r.users[u]!)).toBe(expected.unread);
  }
}

const user = fc.integer({ min: 0, max: USERS - 1 });
const postIndex = fc.nat({ max: 50 });
const mentions = fc.array(user, { maxLength: 3 });
const commands = [
  fc.tuple(user, user, fc.boolean()).map(([a, b, on]) => new FollowCmd(a, b, on)),
  fc.tuple(fc.constantFrom("like" as const, "repost" as const), user, postIndex, fc.boolean()).map(([k, a, p, on]) => new MarkCmd(k, a, p, on)),
  fc.tuple(user, mentions).map(([a, ms]) => new PostCmd(a, null, ms)),
  fc.tuple(user, postIndex, mentions).map(([a, p, ms]) => new PostCmd(a, p, ms)),
  postIndex.map((p) => new DeleteCmd(p)),
  fc.tuple(user, user, fc.boolean()).map(([a, b, on]) => new MuteCmd(a, b, on)),
  user.map((u) => new ReadAllCmd(u)),
  fc.integer({ min: 1, max: 5 }).map((l) => new CheckCmd(l)),
];

describe.each(BACKENDS)("notifications against a model on %s", (backend) => {
  let server: TestServer;
  let users: string[];
  let names: string[];
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await makeUsers(server.ctx.db, "nmodel", USERS);
    const rows = await sql<{ id: string; username: string }>`SELECT id, username FROM users WHERE id = ANY(${users}::uuid[])`.execute(server.ctx.db);
    names = users.map((id) => rows.rows.find((r) => r.id === id)!.username);
  });
  afterAll(() => server.close());

  it("each user's notifications are the model's, whatever happened before", async () => {
    await fc.assert(fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), fc.integer({ min: 1, max: 7 }), async (cmds, limit) => {
      const { db } = server.ctx;
      await db.deleteFrom("posts").execute();
      await db.deleteFrom("follows").execute();
      await sql`DELETE FROM mutes`.execute(db);
      await sql`DELETE FROM notifications`.execute(db);
      const model = new Model();
      await fc.asyncModelRun(() => ({ model, real: { server, users, names } }), cmds);
      await checkAll(model, { server, users, names }, limit);
    }), { numRuns: backend === "embedded" ? 30 : 50 });
  }, 300_000);
});
