// What the social queries share: the page key they are paged by, the post shape they return
// (every post field social.md adds), and the one place block and mute filters join.
import { sql, type Kysely, type RawBuilder } from "kysely";
import { PAGE_LIMIT_MAX, type User } from "../../api/index.js";
import type { Database } from "../db/schema.js";
import { ApiError } from "../http/errors.js";
import { authorOf } from "../posts/queries.js";
import { utcTimestamp } from "../db/timestamps.js";

export type Db = Kysely<Database>;

/**
 * Where a keyset page starts (exclusive), as the paginator hands it over: the last item's
 * microsecond UTC timestamp (sql.ts isoTimestamp's format) and its id. Every page function
 * takes `(after, limit)` and returns limit+1 items, each with its own `key`.
 */
export type { PageKey } from "../db/pagination.js";
import type { PageKey } from "../db/pagination.js";

/** Refused because caller and target are the same user (following yourself): 400. */
export class SelfActionError extends ApiError {
  constructor(message: string) {
    super("validation_error", message, "id");
  }
}

export interface UserRefOut {
  id: string;
  username: string;
}

/** A post with everything social.md adds, as seen by `viewer`. */
export interface SocialPost {
  id: string;
  author_id: string;
  author: User;
  content: string;
  created_at: string;
  reply_to_id: string | null;
  /** null when there is no parent or it was deleted. */
  reply_to_user: UserRefOut | null;
  reply_count: number;
  like_count: number;
  repost_count: number;
  liked: boolean;
  reposted: boolean;
  mentions: UserRefOut[];
  tags: string[];
}

export interface Keyed<T> {
  item: T;
  key: PageKey;
}

/** The page size as a literal in the statement (see posts/queries.ts on generic plans). */
export function rowsFor(limit: number): RawBuilder<unknown> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) throw new RangeError(`page size ${limit}`);
  return sql.lit(limit + 1);
}

export function ts(expr: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * Block and mute filters join here: true when posts by `author` may be shown to `viewer`
 * in a list (social.md, "Blocks, mutes and reports": hidden both ways for a block, and for
 * the muter's lists when muted). `mutes: false` where a muted user stays visible.
 */
export function visibleTo(viewer: string, author: RawBuilder<unknown>, options: { mutes: boolean } = { mutes: true }): RawBuilder<boolean> {
  const blocked = sql`EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${viewer}::uuid AND b.blocked_id = ${author})
    OR (b.blocker_id = ${author} AND b.blocked_id = ${viewer}::uuid))`;
  const muted = options.mutes
    ? sql` OR EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = ${viewer}::uuid AND m.muted_id = ${author})`
    : sql``;
  // A suspended user is hidden everywhere until the suspension is lifted (social.md, "Operators").
  const suspended = sql`EXISTS (SELECT 1 FROM users su WHERE su.id = ${author} AND su.suspended_at IS NOT NULL)`;
  return sql<boolean>`NOT (${blocked}${muted} OR ${suspended})`;
}

/** True when a block stands between the two users, either way. */
export async function blockBetween(db: Db, a: string, b: string): Promise<boolean> {
  const row = await sql<{ blocked: boolean }>`SELECT EXISTS (SELECT 1 FROM blocks
    WHERE (blocker_id = ${a}::uuid AND blocked_id = ${b}::uuid) OR (blocker_id = ${b}::uuid AND blocked_id = ${a}::uuid)) AS blocked`
    .execute(db);
  return row.rows[0]!.blocked;
}

/**
 * The columns of a SocialPost for `p` (posts) joined to `u` (its author), as `viewer` sees
 * it. The parent is looked up by id: a reply whose parent is gone gets reply_to_user null.
 */
export function postColumns(viewer: string): RawBuilder<unknown> {
  // Timestamps as PostgreSQL's text, formatted by toPost (db/timestamps.ts utcTimestamp).
  return sql`p.id, p.author_id, p.content, p.created_at, p.reply_to_id,
    p.reply_count, p.like_count, p.repost_count,
    u.username AS author_username, u.display_name AS author_display_name, u.bio AS author_bio,
    u.created_at AS author_created_at,
    (SELECT json_build_object('id', pu.id, 'username', pu.username)
       FROM posts pp JOIN users pu ON pu.id = pp.author_id WHERE pp.id = p.reply_to_id) AS reply_to_user,
    EXISTS (SELECT 1 FROM likes l WHERE l.user_id = ${viewer}::uuid AND l.post_id = p.id) AS liked,
    EXISTS (SELECT 1 FROM reposts r WHERE r.user_id = ${viewer}::uuid AND r.post_id = p.id) AS reposted,
    COALESCE((SELECT json_agg(json_build_object('id', mu.id, 'username', mu.username) ORDER BY m.position)
       FROM post_mentions m JOIN users mu ON mu.id = m.user_id WHERE m.post_id = p.id), '[]'::json) AS mentions,
    COALESCE((SELECT json_agg(t.tag ORDER BY t.position) FROM post_tags t WHERE t.post_id = p.id), '[]'::json) AS tags`;
}

/** What postColumns selects; created_at and author_created_at are PostgreSQL's text (toPost formats them). */
export interface PostRow {
  id: string;
  author_id: string;
  content: string;
  created_at: string;
  reply_to_id: string | null;
  reply_count: number;
  like_count: number;
  repost_count: number;
  author_username: string;
  author_display_name: string;
  author_bio: string;
  author_created_at: string;
  reply_to_user: UserRefOut | null;
  liked: boolean;
  reposted: boolean;
  mentions: UserRefOut[];
  tags: string[];
}

export function toPost(row: PostRow): SocialPost {
  return {
    id: row.id,
    author_id: row.author_id,
    author: authorOf(row),
    content: row.content,
    created_at: utcTimestamp(row.created_at),
    reply_to_id: row.reply_to_id,
    reply_to_user: row.reply_to_user,
    reply_count: Number(row.reply_count),
    like_count: Number(row.like_count),
    repost_count: Number(row.repost_count),
    liked: row.liked,
    reposted: row.reposted,
    mentions: row.mentions,
    tags: row.tags,
  };
}

/** A post row as a list entry, keyed by its own (created_at, id). */
export function keyedPost(row: PostRow): Keyed<SocialPost> {
  const item = toPost(row);
  return { item, key: { createdAt: item.created_at, id: item.id } };
}

/** One post as `viewer` sees it (counts exact), or undefined when there is none. */
export async function findSocialPost(db: Db, viewer: string, id: string): Promise<SocialPost | undefined> {
  const result = await sql<PostRow>`SELECT ${postColumns(viewer)}
    FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ${id}::uuid AND u.suspended_at IS NULL`.execute(db);
  const row = result.rows[0];
  return row && toPost(row);
}

/** An embedded user (no counts) and the key of the list entry it came from. */
export interface UserEntryRow {
  id: string;
  username: string;
  display_name: string;
  bio: string;
  created_at: string;
  key_at: string;
}

export function toUserEntry(row: UserEntryRow): Keyed<User> {
  return {
    item: { id: row.id, username: row.username, display_name: row.display_name, bio: row.bio, created_at: row.created_at },
    key: { createdAt: row.key_at, id: row.id },
  };
}
