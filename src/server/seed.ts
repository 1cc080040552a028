// Demo and benchmark data: plausible users and posts spread over the last 30 days, inserted
// in large batches so 100,000 posts take seconds. Every seeded user shares one password.
import { sql, type Kysely } from "kysely";
import { randomInt } from "node:crypto";
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

const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)]!;

export interface SeedOptions {
  users: number;
  posts: number;
  /** How many of the posts share one created_at (to exercise paging through ties). */
  sharedTimestamp?: number;
}

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
  const shared = Math.min(options.sharedTimestamp ?? 0, options.posts);
  for (let i = 0; i < options.posts; i += 10_000) {
    const n = Math.min(10_000, options.posts - i);
    const authors: string[] = [], contents: string[] = [], ages: number[] = [];
    for (let j = 0; j < n; j++) {
      authors.push(pick(ids));
      contents.push(`${pick(OPENERS)} ${pick(THINGS)}. ${pick(CLOSERS)}`);
      // Posts in the shared group all get the same age, the rest a random one within 30 days.
      ages.push(i + j < shared ? 86_400 : randomInt(30 * 86_400_000) / 1000);
    }
    await sql`
      INSERT INTO posts (author_id, content, created_at)
      SELECT a, c, date_trunc('second', now()) - make_interval(secs => s)
      FROM unnest(${authors}::uuid[], ${contents}::text[], ${ages}::float8[]) AS t(a, c, s)`.execute(db);
  }
  await indexMissingPosts(db);
  // Log-in is by e-mail: every seeded user's is <username>@example.com; the first one as an example.
  return { users: ids.length, posts: options.posts, ms: Date.now() - started, password: SEED_PASSWORD, exampleEmail: users[0]?.email };
}
