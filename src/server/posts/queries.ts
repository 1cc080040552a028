import { sql, type Kysely } from "kysely";
import type { FullPost, Post } from "../../api/index.js";
import { fetchSize, paginateV1, timeIdKeyset, v1Shape, v1Values, type V1Shape, type V1Start, type V1Values } from "../db/pagination.js";
import type { Database } from "../db/schema.js";
import { reusableQuery } from "../db/reusable-query.js";
import { utcTimestamp } from "../db/timestamps.js";
import type { UserRef } from "../users/resolve.js";
import type { UserRefOut } from "../social/common.js";
import { mentionsOrNull, tagsOrNull } from "../social/hydrate.js";

type Db = Kysely<Database>;

/** A post and its author as selected: both timestamps are PostgreSQL's text (utcTimestamp formats them). */
export interface PostRow {
  id: string;
  author_id: string;
  content: string;
  created_at: string;
  author_username: string;
  author_display_name: string;
  author_bio: string;
  author_created_at: string;
}

/** A post's author from the `author_*` columns a post row is selected with. */
export function authorOf(row: Pick<PostRow, "author_id" | "author_username" | "author_display_name" | "author_bio" | "author_created_at">): NonNullable<Post["author"]> {
  return {
    id: row.author_id,
    username: row.author_username,
    display_name: row.author_display_name,
    bio: row.author_bio,
    created_at: utcTimestamp(row.author_created_at),
  };
}

export function withAuthor(row: PostRow): Post {
  return {
    id: row.id,
    author_id: row.author_id,
    author: authorOf(row),
    content: row.content,
    created_at: utcTimestamp(row.created_at),
  };
}

/** Posts to show, with their authors: a suspended user's posts are hidden everywhere. */
export function selectPostsWithAuthor(db: Db) {
  return db.selectFrom("posts").innerJoin("users", "users.id", "posts.author_id").where("users.suspended_at", "is", null).select([
    "posts.id", "posts.author_id", "posts.content", sql<string>`posts.created_at`.as("created_at"),
    "users.username as author_username", "users.display_name as author_display_name",
    "users.bio as author_bio", sql<string>`users.created_at`.as("author_created_at"),
  ]);
}

/** `createdAt`: null for the database's now() (DatabaseHandle.newTimestamp). */
export async function insertPost(db: Db, authorId: string, content: string, createdAt: string | null): Promise<Post | undefined> {
  // One statement: insert and read the author back together.
  const result = await sql<PostRow>`
    WITH p AS (INSERT INTO posts (author_id, content, created_at)
               VALUES (${authorId}, ${content}, COALESCE(${createdAt}::timestamptz, now())) RETURNING *)
    SELECT p.id, p.author_id, p.content, p.created_at,
           u.username AS author_username, u.display_name AS author_display_name, u.bio AS author_bio,
           u.created_at AS author_created_at
    FROM p JOIN users u ON u.id = p.author_id`.execute(db);
  const row = result.rows[0];
  return row && withAuthor(row);
}

export async function findPost(db: Db, id: string): Promise<Post | undefined> {
  const row = await selectPostsWithAuthor(db).where("posts.id", "=", id).executeTakeFirst();
  return row && withAuthor(row);
}

/** Deletes the post if authorId wrote it; says what happened. */
export async function deletePostBy(db: Db, id: string, authorId: string): Promise<"deleted" | "forbidden" | "missing"> {
  const deleted = await db.deleteFrom("posts").where("id", "=", id).where("author_id", "=", authorId)
    .executeTakeFirst();
  if (deleted.numDeletedRows > 0n) return "deleted";
  const exists = await db.selectFrom("posts").select("id").where("id", "=", id).executeTakeFirst();
  return exists ? "forbidden" : "missing";
}

/** A user's posts, newest first (the lateral subquery's columns). */
const userPostsKeyset = timeIdKeyset("posts.created_at", "posts.id");

// The page and everything social.md adds to its posts, for `reader`, in one statement: the
// parent's author by join, mentions and tags only for content with an `@` or a `#`, the
// reader's flags by primary key. Hydrating in a second statement (per-post subqueries over
// the ids) cost the page a round trip and most of its rate (issue 19's side-by-side).
const userPageQuery = reusableQuery(
  (s: { start: V1Shape; by: "id" | "username" }) => `${s.start}:${s.by}`,
  (db: Db, s, v: V1Values & { user: string; rows: number; reader: string | null }) => db.selectFrom("users")
    .leftJoinLateral((eb) => paginateV1(
      eb.selectFrom("posts")
        .select(["posts.id", "posts.content", "posts.created_at", "posts.reply_to_id", "posts.reply_count", "posts.like_count", "posts.repost_count"])
        .whereRef("posts.author_id", "=", "users.id")
        .where("users.suspended_at", "is", null)
        // Between blocker and blocked the list is empty, both ways (social.md): checked here,
        // once per page (a one-time filter), rather than in a statement of its own.
        .where(sql<boolean>`NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${v.reader}::uuid AND b.blocked_id = users.id)
          OR (b.blocker_id = users.id AND b.blocked_id = ${v.reader}::uuid))`),
      userPostsKeyset, s.start, v,
    ).limit(v.rows).as("p"), (join) => join.onTrue())
    // A deleted parent has no row: reply_to_user is then null, reply_to_id stays.
    .leftJoin("posts as parent", "parent.id", "p.reply_to_id")
    .leftJoin("users as parent_author", "parent_author.id", "parent.author_id")
    // users.id, not p.author_id (the same on every post): a user without posts still says who it is.
    .select([
      "p.id", "users.id as author_id", "p.content", sql<string>`p.created_at`.as("created_at"),
      "p.reply_to_id", "parent_author.id as reply_to_user_id", "parent_author.username as reply_to_username",
      "p.reply_count", "p.like_count", "p.repost_count",
      sql<boolean>`EXISTS (SELECT 1 FROM likes l WHERE l.user_id = ${v.reader}::uuid AND l.post_id = p.id)`.as("liked"),
      sql<boolean>`EXISTS (SELECT 1 FROM reposts r WHERE r.user_id = ${v.reader}::uuid AND r.post_id = p.id)`.as("reposted"),
      // null, not [], when there are none: most posts, and nothing for the driver to parse.
      sql<UserRefOut[] | null>`${mentionsOrNull}`.as("mentions"), sql<string[] | null>`${tagsOrNull}`.as("tags"),
    ])
    .where(s.by === "id" ? sql<boolean>`users.id = ${v.user}` : sql<boolean>`users.username = ${v.user}`)
    .orderBy("p.created_at", "desc").orderBy("p.id", "desc"),
);

/**
 * One page of a user's posts (without the author object), newest first, limit+1 rows, with
 * every field social.md adds as `reader` sees them (null: no reader, both flags false) — and
 * the user looked up by id or username in the same statement, so a page costs one round
 * trip. No posts when a block stands between reader and user; undefined when there is no
 * such user.
 */
export async function userPostsPage(db: Db, user: UserRef, start: V1Start | undefined, limit: number, reader: string | null = null): Promise<{ userId: string; posts: FullPost[] } | undefined> {
  const [by, name] = "id" in user ? ["id" as const, user.id] : ["username" as const, user.username];
  const rows = await userPageQuery.execute(db, { start: v1Shape(start), by }, { ...v1Values(start), user: name, rows: fetchSize(limit), reader });
  const first = rows[0];
  if (!first) return undefined;
  // A user without posts (on this page) comes back as one row whose post columns are null.
  if (first.id === null) return { userId: first.author_id, posts: [] };
  return {
    userId: first.author_id,
    // The contract's key order: the v1 fields, then social.md's.
    posts: rows.map((row) => ({
      id: row.id!, author_id: row.author_id, content: row.content!, created_at: utcTimestamp(row.created_at),
      reply_to_id: row.reply_to_id ?? null,
      reply_to_user: row.reply_to_user_id == null ? null : { id: row.reply_to_user_id, username: row.reply_to_username! },
      reply_count: Number(row.reply_count), like_count: Number(row.like_count), repost_count: Number(row.repost_count),
      liked: row.liked, reposted: row.reposted, mentions: row.mentions ?? [], tags: row.tags ?? [],
    })),
  };
}
