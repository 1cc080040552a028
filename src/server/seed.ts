// Demo and benchmark data: plausible users and posts spread over the last 30 days, inserted
// in large batches so 100,000 posts take seconds. Every seeded user shares one password.
import { sql, type Kysely } from "kysely";
import { randomInt, randomUUID } from "node:crypto";
import type { Database } from "./db/schema.js";
import { hashPassword } from "./auth/passwords.js";
import { indexMissingPosts } from "./search/index-post.js";

export const SEED_PASSWORD = "niotebook-demo";

const NAMES = ["ada", "linus", "grace", "ken", "dennis", "margaret", "alan", "barbara", "guido", "bjarne",
  "radia", "donald", "frances", "edsger", "john", "hedy", "tim", "katherine", "vint", "anita"];
const OPENERS = ["Just shipped", "Finally fixed", "Spent the morning on", "Rewrote", "Benchmarked", "Deleted",
  "Code review of", "Pairing on", "Debugging", "Refactored"];
const THINGS = ["the build cache", "a flaky test", "my dotfiles", "the tmux config", "a tiny CLI tool",
  "our deploy script", "the parser", "a memory leak", "the CI pipeline", "a vim plugin", "the query planner",
  "an off-by-one", "the release notes", "a shell one-liner"];
const CLOSERS = ["Feels good.", "Never again.", "Worth it.", "Send coffee.", "Ship it!", "🎉", "Thoughts?",
  "It was DNS.", "Tests are green.", "On to the next one.", "Terminal forever.", "Zero dependencies."];

const TAGS = ["rust", "vim", "tmux", "postgres", "typescript", "go", "linux", "devops", "terminal", "testing"];
const REPLIES = ["Same here.", "How long did that take?", "Nice one!", "Been there.", "Do you have a write-up?",
  "This is the way.", "Which version?", "Ha, classic.", "Thanks for sharing.", "Bookmarked."];

const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)]!;

/**
 * A sampler of 0..n-1 where rank r has weight 1/(r+1)^s (Zipf): a few ranks drawn very often,
 * a long tail rarely. Inverse CDF by binary search over the cumulative weights.
 */
export function zipfSampler(n: number, s = 1.1): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cumulative[r] = total += 1 / (r + 1) ** s;
  return () => {
    const x = Math.random() * total;
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function shuffled<T>(list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface SeedOptions {
  users: number;
  posts: number;
  /** How many of the posts share one created_at (to exercise paging through ties). */
  sharedTimestamp?: number;
  /** Average accounts each user follows; whom is Zipf-distributed, so a few users have most followers. Default 20. */
  follows?: number;
  /** Share of posts that answer an older post, in percent. Default 20. */
  replies?: number;
  /** Average likes per post; popular posts get most of them (Zipf). Default 1 (each costs ~0.1 ms of trigger and index work). */
  likes?: number;
  /** Reposts per 100 posts. Default 5. */
  reposts?: number;
}

const SECONDS_30_DAYS = 30 * 86_400;

export async function seed(db: Kysely<Database>, options: SeedOptions) {
  const started = Date.now();
  const passwordHash = await hashPassword(SEED_PASSWORD);
  const suffix = Date.now().toString(36).slice(-4);
  const users = Array.from({ length: options.users }, (_, i) => {
    const name = NAMES[i % NAMES.length]!;
    // name, a run marker and the index, cut from the name so every username stays unique.
    const tail = `${suffix}${i}`;
    const username = `${name.slice(0, 15 - tail.length)}${tail}`;
    return { username, email: `${username}@example.com`, display_name: name[0]!.toUpperCase() + name.slice(1) };
  });
  const ids: string[] = [];
  for (let i = 0; i < users.length; i += 5_000) {
    const batch = users.slice(i, i + 5_000);
    const rows = await sql<{ id: string }>`
      INSERT INTO users (username, email, password_hash, display_name, bio, created_at)
      SELECT u, e, ${passwordHash}, d, 'Lives in the terminal.', now() - interval '60 days'
      FROM unnest(${batch.map((u) => u.username)}::text[], ${batch.map((u) => u.email)}::text[],
                  ${batch.map((u) => u.display_name)}::text[]) AS t(u, e, d)
      RETURNING id`.execute(db);
    ids.push(...rows.rows.map((r) => r.id));
  }
  if (ids.length === 0 && options.posts > 0) throw new Error("seeding posts needs at least one user (--users)");
  const usernameOf = new Map(ids.map((id, i) => [id, users[i]!.username]));
  // Popularity: a random order of the users, the first ones followed (and read) by many.
  const byPopularity = shuffled(ids);
  const popular = ids.length > 0 ? zipfSampler(ids.length) : () => 0;

  // Follows (older than every post, so the Home feed is full from the start).
  const follows = await insertFollows(db, ids, byPopularity, popular, Math.min(options.follows ?? 20, Math.max(0, ids.length - 1)));

  // Posts, generated here whole so replies can name an older post and its author: written
  // oldest first, so a parent's row exists when its reply's counter trigger runs.
  const shared = Math.min(options.sharedTimestamp ?? 0, options.posts);
  const replyShare = (options.replies ?? 20) / 100;
  const posts: Array<{ id: string; author: string; age: number; content: string; replyTo: string | null; tag: string | null; mention: string | null }> = [];
  for (let i = 0; i < options.posts; i++) {
    // Posts in the shared group all get the same age, the rest a random one within 30 days.
    const age = i < shared ? 86_400 : randomInt(SECONDS_30_DAYS * 1000) / 1000;
    const tag = randomInt(5) === 0 ? pick(TAGS) : null;
    posts.push({ id: randomUUID(), author: byPopularity[popular()]!, age, content: "", replyTo: null, tag, mention: null });
  }
  posts.sort((a, b) => b.age - a.age);
  let replies = 0;
  for (let i = 0; i < posts.length; i++) {
    const post = posts[i]!;
    // A reply answers one of the (up to) 2,000 posts just before it: conversations happen close in time.
    const parent = i > 0 && Math.random() < replyShare ? posts[i - 1 - randomInt(Math.min(i, 2_000))]! : undefined;
    if (parent && parent.age > post.age) {
      post.replyTo = parent.id;
      post.mention = parent.author === post.author ? null : parent.author;
      post.content = `${post.mention ? `@${usernameOf.get(post.mention)} ` : ""}${pick(REPLIES)}`;
      replies++;
    } else {
      post.content = `${pick(OPENERS)} ${pick(THINGS)}. ${pick(CLOSERS)}`;
    }
    if (post.tag) post.content += ` #${post.tag}`;
  }
  for (let i = 0; i < posts.length; i += 10_000) {
    const batch = posts.slice(i, i + 10_000);
    const tagged = batch.filter((p) => p.tag !== null), mentioned = batch.filter((p) => p.mention !== null);
    await sql`
      WITH p AS (
        INSERT INTO posts (id, author_id, content, reply_to_id, created_at)
        SELECT i, a, c, r, date_trunc('second', now()) - make_interval(secs => s)
        FROM unnest(${batch.map((p) => p.id)}::uuid[], ${batch.map((p) => p.author)}::uuid[], ${batch.map((p) => p.content)}::text[],
                    ${batch.map((p) => p.replyTo)}::uuid[], ${batch.map((p) => p.age)}::float8[]) AS t(i, a, c, r, s)
        ORDER BY s DESC
        RETURNING id, created_at
      ), t AS (
        INSERT INTO post_tags (post_id, tag, position, created_at)
        SELECT p.id, t.tag, 0, p.created_at FROM unnest(${tagged.map((p) => p.id)}::uuid[], ${tagged.map((p) => p.tag)}::text[]) AS t(i, tag)
          JOIN p ON p.id = t.i
      )
      INSERT INTO post_mentions (post_id, user_id, position, created_at)
      SELECT p.id, m.u, 0, p.created_at FROM unnest(${mentioned.map((p) => p.id)}::uuid[], ${mentioned.map((p) => p.mention)}::uuid[]) AS m(i, u)
        JOIN p ON p.id = m.i`.execute(db);
  }

  // Likes and reposts: the liked post drawn by popularity among posts (Zipf over a random
  // order), the user at random; each some time after the post, never in the future.
  const postRank = posts.length > 0 ? zipfSampler(posts.length) : () => 0;
  const postOrder = shuffled(posts.map((_, i) => i));
  const likes = await insertMarks(db, "likes", Math.round((options.likes ?? 1) * posts.length), ids, () => posts[postOrder[postRank()]!]!);
  const reposts = await insertMarks(db, "reposts", Math.round(((options.reposts ?? 5) / 100) * posts.length), ids, () => posts[postOrder[postRank()]!]!);
  await indexMissingPosts(db);
  // Log-in is by e-mail: every seeded user's is <username>@example.com; the first one as an example.
  return {
    users: ids.length, posts: options.posts, follows, replies, likes, reposts,
    ms: Date.now() - started, password: SEED_PASSWORD, exampleEmail: users[0]?.email,
  };
}

async function insertFollows(db: Kysely<Database>, ids: string[], byPopularity: string[], popular: () => number, average: number): Promise<number> {
  if (average <= 0) return 0;
  let total = 0;
  let followers: string[] = [], followees: string[] = [], ages: number[] = [];
  const flush = async () => {
    if (followers.length === 0) return;
    await sql`INSERT INTO follows (follower_id, followee_id, created_at)
      SELECT f, e, now() - interval '31 days' - make_interval(secs => s)
      FROM unnest(${followers}::uuid[], ${followees}::uuid[], ${ages}::float8[]) AS t(f, e, s)
      ON CONFLICT DO NOTHING`.execute(db);
    total += followers.length;
    followers = []; followees = []; ages = [];
  };
  for (const follower of ids) {
    // Some follow few, some many: between 0 and twice the average.
    const want = Math.min(ids.length - 1, randomInt(2 * average + 1));
    const chosen = new Set<string>();
    for (let tries = 0; chosen.size < want && tries < want * 20; tries++) {
      const followee = byPopularity[popular()]!;
      if (followee !== follower) chosen.add(followee);
    }
    for (const followee of chosen) {
      followers.push(follower); followees.push(followee); ages.push(randomInt(SECONDS_30_DAYS));
    }
    // Small statements: the follows_block_guard trigger takes one advisory lock per row, held
    // to the statement's commit, and PostgreSQL's lock table (64 × max_connections entries,
    // shared by every database) ran out at 20,000 follows in one statement.
    if (followers.length >= 2_000) await flush();
  }
  await flush();
  return total;
}

async function insertMarks(db: Kysely<Database>, table: "likes" | "reposts", count: number, ids: string[],
  draw: () => { id: string; age: number }): Promise<number> {
  if (count <= 0 || ids.length === 0) return 0;
  const seen = new Set<string>();
  let total = 0;
  let users: string[] = [], postIds: string[] = [], ages: number[] = [];
  const flush = async () => {
    if (users.length === 0) return;
    await sql`INSERT INTO ${sql.table(table)} (user_id, post_id, created_at)
      SELECT u, p, date_trunc('second', now()) - make_interval(secs => s)
      FROM unnest(${users}::uuid[], ${postIds}::uuid[], ${ages}::float8[]) AS t(u, p, s)
      ON CONFLICT DO NOTHING`.execute(db);
    total += users.length;
    users = []; postIds = []; ages = [];
  };
  for (let tries = 0; seen.size < count && tries < count * 3; tries++) {
    const user = pick(ids), post = draw();
    const key = `${user}|${post.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // Within a day of the post (and not before it).
    users.push(user); postIds.push(post.id); ages.push(Math.max(0, post.age - randomInt(86_400_000) / 1000));
    if (users.length >= 20_000) await flush();
  }
  await flush();
  return total;
}
