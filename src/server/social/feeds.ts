// The read side: the home feed (fan-out on read), threads and a tag's posts, keyset-paged.
import { sql, type RawBuilder } from "kysely";
import type { User } from "../../api/index.js";
import {
  keyedPost, postColumns, rowsFor, toPost, ts, visibleTo,
  type Db, type Keyed, type PageKey, type PostRow, type SocialPost,
} from "./common.js";

/** A home-feed entry: a post, or a post as reposted by someone (then `repost` is set). */
export interface FeedEntry extends SocialPost {
  repost?: { by: User; at: string };
}

interface EntryRow extends PostRow {
  entry_at: string;
  entry_id: string;
  repost_by_id: string | null;
  repost_by_username: string | null;
  repost_by_display_name: string | null;
  repost_by_bio: string | null;
  repost_by_created_at: string | null;
}

function keyBefore(after: PageKey | undefined, at: RawBuilder<unknown>, id: RawBuilder<unknown>): RawBuilder<unknown> {
  return after ? sql`AND (${at}, ${id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``;
}

/**
 * How many of the newest posts the home feed's window reads, per entry of the page (limit+1).
 * Measured in docs/bench-scale.md: readers following 50 to 1,000 of 10,000 users by activity
 * need 1.3 to 4.5 posts per entry; 64 serves readers whose followees write 1/64 of all posts,
 * and a window this wide costs about a millisecond when it misses (index-only, 3,264 entries
 * for a page of 50) before the per-author plan runs.
 */
export const HOME_WINDOW_PER_ENTRY = 64;

/**
 * One page of `viewer`'s home feed, newest entry first, limit+1 entries (social.md, "Follows
 * and the home feed"): every post by the viewer or someone they follow, at its creation
 * (key: the post's created_at and id); and every repost by them of a post whose author is
 * neither the viewer nor followed, at the repost (key: the repost's created_at and its own
 * id, so one post reposted by two followed users is two entries).
 *
 * Fan-out on read, in two plans with the same answer. First the window (homeFeedWindowPage):
 * the newest posts of all, by key, kept when their author is followed — a page's cost is what
 * it skips, not the size of the table or the number followed. When the window holds fewer
 * than limit+1 followed posts (a reader of few or quiet accounts, or the table's end), the
 * per-author plan (homeFeedPerAuthorPage) answers instead.
 */
export async function homeFeedPage(db: Db, viewer: string, after: PageKey | undefined, limit: number,
  windowPosts = HOME_WINDOW_PER_ENTRY * (limit + 1), narrowReaders?: NarrowReaders): Promise<Array<Keyed<FeedEntry>>> {
  if (narrowReaders?.has(viewer)) return homeFeedPerAuthorPage(db, viewer, after, limit);
  const page = await homeFeedWindowPage(db, viewer, after, limit, windowPosts);
  if (page) return page;
  narrowReaders?.add(viewer);
  return homeFeedPerAuthorPage(db, viewer, after, limit);
}

/**
 * Readers whose window missed lately (they follow few or quiet accounts): for a while their
 * pages go straight to the per-author plan instead of paying for the window and then a second
 * statement (3.7 → 7.8 ms for a reader of 10 quiet accounts, docs/bench-scale.md). Either plan
 * gives the same page, so a stale entry costs time, never correctness. One per process.
 */
export class NarrowReaders {
  private readonly until = new Map<string, number>();

  constructor(private readonly ttlMs = 5 * 60_000, private readonly max = 10_000, private readonly now: () => number = Date.now) {}

  has(viewer: string): boolean {
    const until = this.until.get(viewer);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(viewer);
    return false;
  }

  add(viewer: string): void {
    this.until.delete(viewer);
    if (this.until.size >= this.max) this.until.delete(this.until.keys().next().value!);
    this.until.set(viewer, this.now() + this.ttlMs);
  }
}

function authorsCte(viewer: string): RawBuilder<unknown> {
  return sql`authors AS (
      SELECT f.followee_id AS id FROM follows f
      WHERE f.follower_id = ${viewer}::uuid AND ${visibleTo(viewer, sql`f.followee_id`)}
      UNION ALL SELECT ${viewer}::uuid
    )`;
}

/** The reposts part of the feed: each followed user's newest reposts after the key (and from `since` on, when given). */
function repostEntries(viewer: string, after: PageKey | undefined, n: RawBuilder<unknown>, since?: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`SELECT e.post_id, e.created_at, e.id, a.id
        FROM authors a CROSS JOIN LATERAL (
          SELECT r.id, r.post_id, r.created_at FROM reposts r JOIN posts op ON op.id = r.post_id
          WHERE r.user_id = a.id ${keyBefore(after, sql`r.created_at`, sql`r.id`)} ${since ? sql`AND r.created_at >= ${since}` : sql``}
            AND op.author_id <> ${viewer}::uuid
            AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ${viewer}::uuid AND f.followee_id = op.author_id)
            AND ${visibleTo(viewer, sql`op.author_id`)}
          ORDER BY r.created_at DESC, r.id DESC LIMIT ${n}) e`;
}

/** The page's entries (CTE `entries`: post_id, at, entry_id, repost_by) with every post field. */
async function hydratedEntries(db: Db, viewer: string, ctes: RawBuilder<unknown>): Promise<Array<Keyed<FeedEntry>>> {
  const result = await sql<EntryRow>`
    WITH ${ctes}
    SELECT ${postColumns(viewer)}, ${ts(sql`e.at`)} AS entry_at, e.entry_id,
      rb.id AS repost_by_id, rb.username AS repost_by_username, rb.display_name AS repost_by_display_name,
      rb.bio AS repost_by_bio, ${ts(sql`rb.created_at`)} AS repost_by_created_at
    FROM entries e JOIN posts p ON p.id = e.post_id JOIN users u ON u.id = p.author_id
      LEFT JOIN users rb ON rb.id = e.repost_by
    ORDER BY e.at DESC, e.entry_id DESC`.execute(db);
  return result.rows.map((row) => {
    const entry: FeedEntry = toPost(row);
    if (row.repost_by_id !== null) {
      entry.repost = {
        by: {
          id: row.repost_by_id, username: row.repost_by_username!, display_name: row.repost_by_display_name!,
          bio: row.repost_by_bio!, created_at: row.repost_by_created_at!,
        },
        at: row.entry_at,
      };
    }
    return { item: entry, key: { createdAt: row.entry_at, id: row.entry_id } };
  });
}

/**
 * The window plan: the newest `windowPosts` posts after the key, by the global (created_at, id)
 * index, kept when their author is followed (or is the viewer), the first limit+1 of them; and
 * the followed users' reposts no older than the last of those (an older one cannot make the
 * page). Undefined when the window holds fewer than limit+1 such posts: then only the
 * per-author plan knows the page. When it has them they are exactly the per-author plan's
 * posts, since every newer post was in the window.
 */
export async function homeFeedWindowPage(db: Db, viewer: string, after: PageKey | undefined, limit: number,
  windowPosts: number): Promise<Array<Keyed<FeedEntry>> | undefined> {
  const n = rowsFor(limit);
  if (!Number.isSafeInteger(windowPosts) || windowPosts < limit + 1) throw new RangeError(`window of ${windowPosts} posts`);
  const rows = await hydratedEntries(db, viewer, sql`${authorsCte(viewer)},
    hits AS (
      SELECT w.id, w.created_at FROM (
        SELECT p.id, p.created_at, p.author_id FROM posts p
        WHERE TRUE ${keyBefore(after, sql`p.created_at`, sql`p.id`)}
        ORDER BY p.created_at DESC, p.id DESC LIMIT ${sql.lit(windowPosts)}) w
      -- IS TRUE keeps the test a hashed subplan run row by row in the window's order, so the
      -- scan stops at the (limit+1)th hit; a bare IN becomes a hash join over the whole window.
      WHERE (w.author_id IN (SELECT a.id FROM authors a)) IS TRUE
      ORDER BY w.created_at DESC, w.id DESC LIMIT ${n}
    ),
    -- The oldest hit when the window had limit+1 of them; else NULL, and the page is empty.
    floor AS (SELECT CASE WHEN count(*) = ${n} THEN min(h.created_at) END AS at FROM hits h),
    entries AS (
      SELECT * FROM (
        SELECT h.id AS post_id, h.created_at AS at, h.id AS entry_id, NULL::uuid AS repost_by FROM hits h
        UNION ALL
        ${repostEntries(viewer, after, n, sql`(SELECT f.at FROM floor f)`)}
      ) merged
      WHERE (SELECT f.at FROM floor f) IS NOT NULL
      ORDER BY at DESC, entry_id DESC LIMIT ${n}
    )`);
  return rows.length > 0 ? rows : undefined;
}

/**
 * The per-author plan: each followed author's newest limit+1 posts and reposts after the key
 * are read from their own index (author_id / user_id, created_at, id) and merged, so a page
 * costs about (authors × page size) index entries at most, however old the followed accounts are.
 */
export async function homeFeedPerAuthorPage(db: Db, viewer: string, after: PageKey | undefined, limit: number): Promise<Array<Keyed<FeedEntry>>> {
  const n = rowsFor(limit);
  return hydratedEntries(db, viewer, sql`${authorsCte(viewer)},
    entries AS (
      SELECT * FROM (
        SELECT e.id AS post_id, e.created_at AS at, e.id AS entry_id, NULL::uuid AS repost_by
        FROM authors a CROSS JOIN LATERAL (
          SELECT p.id, p.created_at FROM posts p
          WHERE p.author_id = a.id ${keyBefore(after, sql`p.created_at`, sql`p.id`)}
          ORDER BY p.created_at DESC, p.id DESC LIMIT ${n}) e
        UNION ALL
        ${repostEntries(viewer, after, n)}
      ) merged
      ORDER BY at DESC, entry_id DESC LIMIT ${n}
    )`);
}

export interface Thread {
  /** Root-most first; the walk stops before the first deleted post (at most 100 steps). */
  ancestors: SocialPost[];
  post: SocialPost;
  /** Direct replies, oldest first: limit+1 of them after `after`. */
  replies: Array<Keyed<SocialPost>>;
}

export const ANCESTORS_MAX = 100;

/**
 * A post's thread as `viewer` sees it; undefined when the post does not exist or a block
 * stands between viewer and its author (404 either way). Replies and ancestors by a blocked
 * or muted user are left out (an ancestor left out does not end the walk).
 */
export async function threadPage(db: Db, viewer: string, postId: string, after: PageKey | undefined, limit: number): Promise<Thread | undefined> {
  const n = rowsFor(limit);
  const main = await sql<PostRow>`SELECT ${postColumns(viewer)} FROM posts p JOIN users u ON u.id = p.author_id
    WHERE p.id = ${postId}::uuid AND ${visibleTo(viewer, sql`p.author_id`, { mutes: false })}`.execute(db);
  const row = main.rows[0];
  if (!row) return undefined;
  // A reply keeps its parent's id after the parent is deleted: a parent id with no row is
  // a deleted post, and the join finding nothing ends the walk there.
  const ancestors = row.reply_to_id === null ? { rows: [] } : await sql<PostRow>`
    WITH RECURSIVE up (id, reply_to_id, depth) AS (
      SELECT a.id, a.reply_to_id, 1 FROM posts a WHERE a.id = ${row.reply_to_id}::uuid
      UNION ALL
      SELECT a.id, a.reply_to_id, up.depth + 1 FROM up JOIN posts a ON a.id = up.reply_to_id
      WHERE up.depth < ${sql.lit(ANCESTORS_MAX)}
    )
    SELECT ${postColumns(viewer)} FROM up JOIN posts p ON p.id = up.id JOIN users u ON u.id = p.author_id
    WHERE ${visibleTo(viewer, sql`p.author_id`)}
    ORDER BY up.depth DESC`.execute(db);
  const replies = await sql<PostRow>`SELECT ${postColumns(viewer)} FROM posts p JOIN users u ON u.id = p.author_id
    WHERE p.reply_to_id = ${postId}::uuid
      ${after ? sql`AND (p.created_at, p.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
      AND ${visibleTo(viewer, sql`p.author_id`)}
    ORDER BY p.created_at, p.id LIMIT ${n}`.execute(db);
  return {
    ancestors: ancestors.rows.map(toPost),
    post: toPost(row),
    replies: replies.rows.map(keyedPost),
  };
}

/** Posts carrying `tag` (already normalised: normalizeTag), newest first; limit+1 of them. */
export async function tagPostsPage(db: Db, viewer: string, tag: string, after: PageKey | undefined, limit: number): Promise<Array<Keyed<SocialPost>>> {
  const result = await sql<PostRow>`
    WITH page AS (
      SELECT t.post_id, t.created_at FROM post_tags t JOIN posts op ON op.id = t.post_id
      WHERE t.tag = ${tag} ${keyBefore(after, sql`t.created_at`, sql`t.post_id`)}
        AND ${visibleTo(viewer, sql`op.author_id`)}
      ORDER BY t.created_at DESC, t.post_id DESC LIMIT ${rowsFor(limit)}
    )
    SELECT ${postColumns(viewer)} FROM page JOIN posts p ON p.id = page.post_id JOIN users u ON u.id = p.author_id
    ORDER BY page.created_at DESC, page.post_id DESC`.execute(db);
  return result.rows.map(keyedPost);
}
