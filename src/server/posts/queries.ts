import { sql, type Kysely } from "kysely";
import type { Post } from "../../api/index.js";
import type { Database } from "../db/schema.js";
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

export async function insertPost(db: Db, authorId: string, content: string): Promise<Post | undefined> {
  // One statement: insert and read the author back together.
  const result = await sql<PostRow>`
    WITH p AS (INSERT INTO posts (author_id, content) VALUES (${authorId}, ${content}) RETURNING *)
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

function afterCursor<QB extends { where: any }>(qb: QB, cursor: Cursor | undefined): QB {
  if (!cursor) return qb;
  if (cursor.kind === "after") {
    return qb.where(sql<boolean>`(posts.created_at, posts.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
  }
  return qb.where(sql<boolean>`posts.created_at ${sql.raw(cursor.inclusive ? "<=" : "<")} ${cursor.before}::timestamptz`);
}

/**
 * One page of the global timeline, newest first: limit+1 rows so has_more is exact. The page
 * size is written into the statement, not sent as a parameter: priced for an unknown LIMIT (10%
 * of the table), the generic plan always lost to a custom one, so PostgreSQL planned every deep
 * page again (~100 µs of its CPU per request). It makes at most one statement per page size.
 */
export async function timelinePage(db: Db, cursor: Cursor | undefined, limit: number): Promise<Post[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`page size ${limit}`);
  const rows = await afterCursor(selectPostsWithAuthor(db), cursor)
    .orderBy("posts.created_at", "desc").orderBy("posts.id", "desc").limit(sql.lit(limit + 1)).execute();
  return rows.map(withAuthor);
}

/**
 * One page of a user's posts (without the author object), newest first, limit+1 rows — with
 * the user looked up by id or username in the same statement, so a page costs one round trip.
 * undefined when there is no such user.
 */
export async function userPostsPage(db: Db, user: UserRef, cursor: Cursor | undefined, limit: number): Promise<Post[] | undefined> {
  const rows = await db.selectFrom("users")
    .leftJoinLateral((eb) => afterCursor(
      eb.selectFrom("posts")
        .select(["posts.id", "posts.author_id", "posts.content", "posts.created_at"])
        .whereRef("posts.author_id", "=", "users.id"),
      cursor,
    ).orderBy("posts.created_at", "desc").orderBy("posts.id", "desc").limit(limit + 1).as("p"), (join) => join.onTrue())
    .select(["p.id", "p.author_id", "p.content", isoTimestamp("p.created_at").as("created_at")])
    .where("id" in user ? sql<boolean>`users.id = ${user.id}` : sql<boolean>`users.username = ${user.username}`)
    .orderBy("p.created_at", "desc").orderBy("p.id", "desc")
    .execute();
  if (rows.length === 0) return undefined;
  // A user without posts (on this page) comes back as one row of nulls.
  return rows[0]!.id === null ? [] : (rows as Post[]);
}
