import { sql, type Kysely } from "kysely";
import { PAGE_LIMIT_MAX, type Post } from "../../api/index.js";
import type { Database } from "../db/schema.js";
import { reusableQuery } from "../db/reusable-query.js";
import { isoTimestamp } from "../db/sql.js";
import type { Cursor } from "../paging.js";
import type { UserRef } from "../users/resolve.js";

type Db = Kysely<Database>;

interface PostRow {
  id: string;
  author_id: string;
  content: string;
  created_at: string;
  author_username: string;
  author_display_name: string;
  author_bio: string;
  author_created_at: string;
}

function withAuthor(row: PostRow): Post {
  return {
    id: row.id,
    author_id: row.author_id,
    author: {
      id: row.author_id,
      username: row.author_username,
      display_name: row.author_display_name,
      bio: row.author_bio,
      created_at: row.author_created_at,
    },
    content: row.content,
    created_at: row.created_at,
  };
}

function selectPostsWithAuthor(db: Db) {
  return db.selectFrom("posts").innerJoin("users", "users.id", "posts.author_id").select([
    "posts.id", "posts.author_id", "posts.content", isoTimestamp("posts.created_at").as("created_at"),
    "users.username as author_username", "users.display_name as author_display_name",
    "users.bio as author_bio", isoTimestamp("users.created_at").as("author_created_at"),
  ]);
}

/** `createdAt`: null for the database's now() (DatabaseHandle.newTimestamp). */
export async function insertPost(db: Db, authorId: string, content: string, createdAt: string | null): Promise<Post | undefined> {
  // One statement: insert and read the author back together.
  const result = await sql<PostRow>`
    WITH p AS (INSERT INTO posts (author_id, content, created_at)
               VALUES (${authorId}, ${content}, COALESCE(${createdAt}::timestamptz, now())) RETURNING *)
    SELECT p.id, p.author_id, p.content, ${isoTimestamp("p.created_at")} AS created_at,
           u.username AS author_username, u.display_name AS author_display_name, u.bio AS author_bio,
           ${isoTimestamp("u.created_at")} AS author_created_at
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

/** Which kind of cursor a page starts after: each kind is its own statement. */
type CursorShape = "first" | "after" | "before" | "before-or-at";

/** A cursor's values, by name (a stand-in for each while the statement is built). */
type CursorValues = { createdAt: string; id: string; before: string };

function cursorShape(cursor: Cursor | undefined): CursorShape {
  if (!cursor) return "first";
  if (cursor.kind === "after") return "after";
  return cursor.inclusive ? "before-or-at" : "before";
}

function cursorValues(cursor: Cursor | undefined): CursorValues {
  if (cursor?.kind === "after") return { createdAt: cursor.createdAt, id: cursor.id, before: "" };
  return { createdAt: "", id: "", before: cursor?.before ?? "" };
}

function afterCursor<QB extends { where: any }>(qb: QB, shape: CursorShape, v: CursorValues): QB {
  switch (shape) {
    case "first": return qb;
    case "after": return qb.where(sql<boolean>`(posts.created_at, posts.id) < (${v.createdAt}::timestamptz, ${v.id}::uuid)`);
    case "before": return qb.where(sql<boolean>`posts.created_at < ${v.before}::timestamptz`);
    case "before-or-at": return qb.where(sql<boolean>`posts.created_at <= ${v.before}::timestamptz`);
  }
}

const timelineQuery = reusableQuery(
  (s: { cursor: CursorShape; limit: number }) => `${s.cursor}:${s.limit}`,
  (db: Db, s, v: CursorValues) => afterCursor(selectPostsWithAuthor(db), s.cursor, v)
    .orderBy("posts.created_at", "desc").orderBy("posts.id", "desc").limit(sql.lit(s.limit + 1)),
);

/**
 * One page of the global timeline, newest first: limit+1 rows so has_more is exact. The page
 * size is written into the statement, not sent as a parameter: priced for an unknown LIMIT (10%
 * of the table), the generic plan always lost to a custom one, so PostgreSQL planned every deep
 * page again (~100 µs of its CPU per request). It makes at most one statement per page size.
 */
export async function timelinePage(db: Db, cursor: Cursor | undefined, limit: number): Promise<Post[]> {
  // Bounded: each page size is its own statement (and cached shape).
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) throw new RangeError(`page size ${limit}`);
  const rows = await timelineQuery.execute(db, { cursor: cursorShape(cursor), limit }, cursorValues(cursor));
  return rows.map(withAuthor);
}

const userPageQuery = reusableQuery(
  (s: { cursor: CursorShape; by: "id" | "username" }) => `${s.cursor}:${s.by}`,
  (db: Db, s, v: CursorValues & { user: string; rows: number }) => db.selectFrom("users")
    .leftJoinLateral((eb) => afterCursor(
      eb.selectFrom("posts")
        .select(["posts.id", "posts.author_id", "posts.content", "posts.created_at"])
        .whereRef("posts.author_id", "=", "users.id"),
      s.cursor, v,
    ).orderBy("posts.created_at", "desc").orderBy("posts.id", "desc").limit(v.rows).as("p"), (join) => join.onTrue())
    .select(["p.id", "p.author_id", "p.content", isoTimestamp("p.created_at").as("created_at")])
    .where(s.by === "id" ? sql<boolean>`users.id = ${v.user}` : sql<boolean>`users.username = ${v.user}`)
    .orderBy("p.created_at", "desc").orderBy("p.id", "desc"),
);

/**
 * One page of a user's posts (without the author object), newest first, limit+1 rows — with
 * the user looked up by id or username in the same statement, so a page costs one round trip.
 * undefined when there is no such user.
 */
export async function userPostsPage(db: Db, user: UserRef, cursor: Cursor | undefined, limit: number): Promise<Post[] | undefined> {
  const [by, name] = "id" in user ? ["id" as const, user.id] : ["username" as const, user.username];
  const rows = await userPageQuery.execute(db, { cursor: cursorShape(cursor), by },
    { ...cursorValues(cursor), user: name, rows: limit + 1 });
  if (rows.length === 0) return undefined;
  // A user without posts (on this page) comes back as one row of nulls.
  return rows[0]!.id === null ? [] : (rows as Post[]);
}
