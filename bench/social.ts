// The social benchmark's data and its database ceilings (issue 19), shared by bench/run.ts
// and bench/scale.ts:
//
// - seedSocial: on top of the server's own seed (10,000 users, posts spread over them by
//   popularity), gives each benchmarked reader exactly 200 followed users, drawn in proportion
//   to how much they post (people follow active accounts: the feed's heavy case); adds a
//   thread of 200 replies, the posts the readers like and the users they follow and unfollow.
// - captureScripts: the database ceiling's SQL is the server's own. The server's query
//   functions (from dist/) run once against a Kysely whose driver records every statement it
//   is handed (text and parameters, as compiled); the ceiling then replays, per request,
//   every statement the server ran for it, with the reader (and post or target) of that
//   request in place of the captured one's. So if a query in src/server/social changes, the
//   ceiling changes with it.
import {
  Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult,
} from "kysely";
import { randomUUID } from "node:crypto";
import { socialCycle, socialPick, type SocialLoadData, type SocialScenario } from "./social-scenarios.ts";

type Row = Record<string, unknown>;
/** One statement on the benchmark's database: a pg.Client's query or PGlite's. */
export type Exec = (text: string, values?: unknown[]) => Promise<{ rows: Row[] }>;

export const FOLLOWED = 200;
export const THREAD_REPLIES = 200;
const LIKE_POSTS = 200;
const FOLLOW_TARGETS = 100;
/** The deep home page's cursor: this far back (posts are spread over 30 days). */
const DEEP_DAYS = 27;
/** Larger than every uuid: the deep cursor's key is (a time, this), so no post is skipped at the time. */
const MAX_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff";

type Dist<T> = Promise<T>;
const dist = <T>(path: string): Dist<T> => import(new URL(`../dist/server/${path}`, import.meta.url).href) as Dist<T>;
const server = async () => ({
  feeds: await dist<typeof import("../src/server/social/feeds.js")>("social/feeds.js"),
  likes: await dist<typeof import("../src/server/social/likes.js")>("social/likes.js"),
  follows: await dist<typeof import("../src/server/social/follows.js")>("social/follows.js"),
  lists: await dist<typeof import("../src/server/social/lists.js")>("social/lists.js"),
  pagination: await dist<typeof import("../src/server/db/pagination.js")>("db/pagination.js"),
  users: await dist<typeof import("../src/server/users/queries.js")>("users/queries.js"),
  posts: await dist<typeof import("../src/server/posts/queries.js")>("posts/queries.js"),
});

export interface SocialSeedGroup {
  users: string[];
  follows: number;
}

/** What seedSocial made: the load's social data (for the readers of the first group) and counts. */
export interface SocialSetup {
  load: SocialLoadData;
  /** the reply the thread is of (its own parent is a root post: one ancestor) */
  threadRootId: string;
  followsInserted: number;
  ms: number;
}

/**
 * Each group's users follow exactly `follows` others (their earlier follows removed), drawn
 * without replacement with weight 1 + their post count (Efraimidis–Spirakis keys); the follow
 * targets and the users themselves are never drawn. `groups[0]` are the load's readers.
 */
export async function seedSocial(exec: Exec, groups: SocialSeedGroup[]): Promise<SocialSetup> {
  const started = performance.now();
  const readers = groups.flatMap((g) => g.users);
  const readerSet = new Set(readers);
  const all = (await exec(`SELECT u.id, (SELECT count(*) FROM posts p WHERE p.author_id = u.id)::int AS n FROM users u ORDER BY u.id`)).rows as Array<{ id: string; n: number }>;
  const targets = all.filter((u) => !readerSet.has(u.id)).slice(-FOLLOW_TARGETS).map((u) => u.id);
  if (targets.length < FOLLOW_TARGETS) throw new Error(`social seed: ${all.length} users leave too few follow targets besides ${readers.length} readers`);
  const targetSet = new Set(targets);
  const candidates = all.filter((u) => !targetSet.has(u.id));
  const weights = Float64Array.from(candidates, (u) => 1 + u.n);
  await exec(`DELETE FROM follows WHERE follower_id = ANY($1::uuid[]) OR followee_id = ANY($2::uuid[])`, [readers, targets]);
  let inserted = 0;
  let followers: string[] = [], followees: string[] = [], ages: number[] = [];
  const flush = async () => {
    if (!followers.length) return;
    await exec(`INSERT INTO follows (follower_id, followee_id, created_at)
      SELECT f, e, now() - interval '31 days' - make_interval(secs => s) FROM unnest($1::uuid[], $2::uuid[], $3::float8[]) AS t(f, e, s)
      ON CONFLICT DO NOTHING`, [followers, followees, ages]);
    inserted += followers.length;
    followers = []; followees = []; ages = [];
  };
  const keys = new Float64Array(candidates.length);
  const order = Array.from(candidates, (_, i) => i);
  for (const group of groups) {
    if (group.follows >= candidates.length) throw new Error(`social seed: cannot follow ${group.follows} of ${candidates.length} users`);
    for (const user of group.users) {
      for (let i = 0; i < keys.length; i++) keys[i] = candidates[i]!.id === user ? Infinity : -Math.log(Math.random()) / weights[i]!;
      order.sort((a, b) => keys[a]! - keys[b]!);
      for (let i = 0; i < group.follows; i++) {
        followers.push(user); followees.push(candidates[order[i]!]!.id); ages.push(Math.random() * 86_400 * 30);
      }
      // Small statements: each row's block guard holds an advisory lock until the statement ends (src/server/seed.ts).
      if (followers.length >= 2_000) await flush();
    }
  }
  await flush();

  // The thread: a root post, the reply whose thread is read, and 200 replies to it by as many
  // users (readers, so some replies are the reader's own), each mentioning its author as the
  // server's seed and composer do.
  const [rootAuthor, threadAuthor] = [targets[0]!, targets[1]!];
  const rootId = randomUUID(), threadId = randomUUID();
  await exec(`INSERT INTO posts (id, author_id, content, reply_to_id, created_at) VALUES
    ($1, $2, 'Which terminal multiplexer do you use, and why?', NULL, now() - interval '3 days'),
    ($3, $4, 'tmux, with a tiny config. Yours?', $1, now() - interval '3 days' + interval '1 minute')`, [rootId, rootAuthor, threadId, threadAuthor]);
  const repliers = Array.from({ length: THREAD_REPLIES }, (_, i) => all[(i * 37) % all.length]!.id).filter((id) => id !== threadAuthor);
  const replyIds = repliers.map(() => randomUUID());
  await exec(`WITH r AS (
      INSERT INTO posts (id, author_id, content, reply_to_id, created_at)
      SELECT i, a, '@' || (SELECT username FROM users WHERE id = $3::uuid) || ' screen, out of habit. ' || k, $4::uuid,
        now() - interval '2 days' + make_interval(secs => k)
      FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS t(i, a, k) ORDER BY k
      RETURNING id, created_at)
    INSERT INTO post_mentions (post_id, user_id, position, created_at) SELECT r.id, $3::uuid, 0, r.created_at FROM r`,
  [replyIds, repliers, threadAuthor, threadId]);

  // Posts to like: the newest ones by authors who are not readers (so every like takes the
  // same path through the server: the block check against another author).
  const likePosts = (await exec(`SELECT id FROM posts WHERE author_id <> ALL($1::uuid[]) AND reply_to_id IS NULL
    ORDER BY created_at DESC, id DESC LIMIT ${LIKE_POSTS}`, [readers])).rows.map((r) => r.id as string);

  const { lists, pagination } = await server();
  const deepKey = lists.ENTRY_KEYSET.decode(`${new Date(Date.now() - DEEP_DAYS * 86_400_000).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z")}|${MAX_UUID}`);
  if (!deepKey) throw new Error("social seed: the deep cursor's key does not parse");
  const homeDeepCursors = groups[0]!.users.map((id) => pagination.encodeCursor(lists.LISTS.home(id), lists.ENTRY_KEYSET, deepKey));
  return {
    load: { homeDeepCursors, threadId, likePosts, followTargets: targets },
    threadRootId: rootId, followsInserted: inserted, ms: Math.round(performance.now() - started),
  };
}

/** A Kysely whose driver records each compiled statement it runs (then runs it through `exec`). */
export function recordingKysely(exec: Exec) {
  const log: Statement[] = [];
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      log.push({ text: query.sql, values: [...query.parameters] });
      return { rows: (await exec(query.sql, [...query.parameters])).rows as R[] };
    },
    streamQuery() {
      throw new Error("no streaming in the recorder");
    },
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    // like() bumps reader_flags_version in its transaction: run it as one, unrecorded.
    beginTransaction: async () => { await exec("BEGIN"); },
    commitTransaction: async () => { await exec("COMMIT"); },
    rollbackTransaction: async () => { await exec("ROLLBACK"); },
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  // Any Database type: the server's functions bring their own.
  const db = new Kysely<never>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return {
    db,
    /** Runs `fn` and returns the statements it ran. */
    async capture(fn: (db: Kysely<never>) => Promise<unknown>): Promise<Statement[]> {
      log.length = 0;
      await fn(db);
      return log.splice(0);
    },
  };
}

export interface Statement {
  text: string;
  values: unknown[];
}

/** What the database ceiling replays: request k runs requests[k % length], statement by statement. */
export interface DbScript {
  texts: string[];
  requests: Array<Array<[number, unknown[]]>>;
}

/** The server's statements for one request of `scenario` by the captured reader: the template. */
async function template(rec: ReturnType<typeof recordingKysely>, scenario: SocialScenario, reader: string, data: SocialLoadData, deepKey: { createdAt: string; id: string },
  newTimestamp: string | null): Promise<{ run: Statement[]; undo?: Statement[] }> {
  const s = await server();
  // The route handlers' own calls (timeline/home.ts, posts/thread.ts, posts/like.ts, users/follow.ts).
  const db = rec.db as never;
  switch (scenario) {
    case "home-first":
      return { run: await rec.capture(() => s.feeds.homeFeedPage(db, reader, undefined, 50)) };
    case "home-deep":
      return { run: await rec.capture(() => s.feeds.homeFeedPage(db, reader, deepKey, 50)) };
    case "thread":
      return { run: await rec.capture(() => s.feeds.threadPage(db, reader, data.threadId, undefined, 50)) };
    case "like":
      return {
        run: await rec.capture(() => s.likes.like(db, reader, data.likePosts[0]!)),
        undo: await rec.capture(() => s.likes.unlike(db, reader, data.likePosts[0]!)),
      };
    case "follow": {
      const target = data.followTargets[0]!;
      return {
        run: await rec.capture(async () => (await s.follows.follow(db, reader, target, newTimestamp)) && s.users.findUserById(db, target)),
        undo: await rec.capture(async () => (await s.follows.unfollow(db, reader, target)) && s.users.findUserById(db, target)),
      };
    }
  }
}

/**
 * The ceiling's script of a social scenario: the server's statements captured for the first
 * reader (and first post or target), then one request per distinct request of the load, with
 * that request's reader, post and target put in the captured ones' place.
 */
export async function captureScript(exec: Exec, scenario: SocialScenario, readers: string[], data: SocialLoadData, newTimestamp: string | null = null): Promise<DbScript> {
  const rec = recordingKysely(exec);
  const { lists } = await server();
  const deepKey = deepKeyOf(data.homeDeepCursors[0]!, lists.ENTRY_KEYSET);
  const first = socialPick(scenario, 0, readers.length, data);
  const t = await template(rec, scenario, readers[first.reader]!, data, deepKey, newTimestamp);
  const texts: string[] = [];
  const textIndex = (text: string) => {
    let i = texts.indexOf(text);
    if (i < 0) i = texts.push(text) - 1;
    return i;
  };
  const requests: DbScript["requests"] = [];
  for (let k = 0; k < socialCycle(scenario, readers.length); k++) {
    const pick = socialPick(scenario, k, readers.length, data);
    const swap = new Map<unknown, unknown>([[readers[first.reader]!, readers[pick.reader]!], [first.post, pick.post], [first.target, pick.target]]);
    const sub = (v: unknown): unknown => (Array.isArray(v) ? v.map(sub) : swap.has(v) ? swap.get(v) : v);
    requests.push((pick.undo ? t.undo! : t.run).map((st) => [textIndex(st.text), st.values.map(sub)]));
  }
  return { texts, requests };
}

/** The key a deep home cursor carries (its list tag aside): what the route hands homeFeedPage. */
function deepKeyOf(cursor: string, keyset: { decode(text: string): { createdAt: string; id: string } | undefined }) {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const key = keyset.decode(text.slice(text.indexOf("|") + 1));
  if (!key) throw new Error("deep home cursor does not decode");
  return key;
}

/**
 * The statements behind the other social queries bench:scale explains (likes list, followers
 * list, a user's posts with the reader's flags, the like and follow inserts), captured as the
 * routes run them; the writes are explained inside a rolled-back transaction by the caller.
 */
export async function captureOthers(exec: Exec, reader: string, data: SocialLoadData, busiest: { likedPost: string; followedUser: string; poster: string }) {
  const s = await server();
  const rec = recordingKysely(exec);
  const db = rec.db as never;
  const userPosts = await rec.capture(() => s.posts.userPostsPage(db, { id: busiest.poster }, undefined, 50, reader));
  const likeRun = await rec.capture(() => s.likes.like(db, reader, data.likePosts[0]!));
  await rec.capture(() => s.likes.unlike(db, reader, data.likePosts[0]!));
  const followRun = await rec.capture(() => s.follows.follow(db, reader, data.followTargets[0]!, null));
  await rec.capture(() => s.follows.unfollow(db, reader, data.followTargets[0]!));
  return [
    { name: "likes list (the most-liked post)", statements: await rec.capture(() => s.likes.likesPage(db, reader, busiest.likedPost, undefined, 50)) },
    { name: "followers list (the most-followed user)", statements: await rec.capture(() => s.follows.followersPage(db, reader, busiest.followedUser, undefined, 50)) },
    { name: "user posts with the reader's flags (the user with the most posts): one statement", statements: userPosts },
    { name: "like insert", statements: likeRun.slice(0, 1), write: true },
    { name: "follow insert", statements: followRun.slice(0, 1), write: true },
  ];
}

/** The home/thread templates for EXPLAIN (bench:scale): the first reader's statements. */
export async function captureReads(exec: Exec, reader: string, data: SocialLoadData) {
  const out: Array<{ name: string; statements: Statement[] }> = [];
  for (const [scenario, name] of [["home-first", `home feed, first page (${FOLLOWED} followed)`], ["home-deep", `home feed, deep page (${DEEP_DAYS} days back)`],
    ["thread", `thread (${THREAD_REPLIES} replies, first page of 50)`]] as const) {
    const script = await captureScript(exec, scenario, [reader], data);
    out.push({ name, statements: script.requests[0]!.map(([i, values]) => ({ text: script.texts[i]!, values })) });
  }
  return out;
}

/**
 * Turns off (or back on) what only a live service needs while the benchmark seeds its data:
 * the deferred triggers that write one /stream event per row (a production database prunes
 * its events; a seed would leave millions, and writing them made 100,000 posts take minutes)
 * and the follow block guard's per-row advisory lock (a fresh seed has no blocks). Counters and
 * notifications keep their triggers, so the data is what the server would have written.
 */
export async function seedTriggers(exec: Exec, enable: boolean): Promise<string[]> {
  const rows = (await exec(`SELECT c.relname AS t, g.tgname AS name FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
    WHERE NOT g.tgisinternal AND (g.tgname LIKE 'zz\\_%events%' OR g.tgname = 'follows_block_guard') ORDER BY 1, 2`)).rows as Array<{ t: string; name: string }>;
  for (const r of rows) await exec(`ALTER TABLE ${r.t} ${enable ? "ENABLE" : "DISABLE"} TRIGGER ${r.name}`);
  return rows.map((r) => `${r.t}.${r.name}`);
}

/**
 * A global-timeline cursor as the server mints it (db/pagination.ts: the list's tag, then the
 * key). The benchmark's own base64 of "time|id" stopped being one when cursors got bound to
 * their list: the deep-page scenario got 400s.
 */
export async function timelineCursor(createdAt: string, id: string): Promise<string> {
  const { pagination } = await server();
  const { TIMELINE_LIST } = await dist<typeof import("../src/server/timeline/queries.js")>("timeline/queries.js");
  return pagination.encodeCursor(TIMELINE_LIST, pagination.timeIdKeyset("created_at", "id"), { createdAt, id });
}
