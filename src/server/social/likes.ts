// Likes and reposts: idempotent writes (counted by the likes_count / reposts_count triggers
// only when a row really appears or goes) and the lists of who did them, most recent first.
import { sql } from "kysely";
import type { User } from "../../api/index.js";
import { forbidden } from "../http/errors.js";
import {
  blockBetween, findSocialPost, rowsFor, toUserEntry, ts, visibleTo,
  type Db, type Keyed, type PageKey, type SocialPost, type UserEntryRow,
} from "./common.js";
import { pairLockKey } from "../safety/migrations.js";

type Kind = "likes" | "reposts";

async function mark(db: Db, kind: Kind, caller: string, postId: string, at: string | null): Promise<SocialPost | undefined> {
  return db.transaction().execute(async (tx) => {
    // The pair's lock (block() holds it until it commits), taken before the block check: a
    // block either committed before the check, which sees it (403, nothing written), or
    // waits until this like has committed. Without it a like checked before a block could
    // commit after it, or answer 403 while its row stays.
    const found = await sql<{ author_id: string }>`SELECT p.author_id,
        CASE WHEN p.author_id <> ${caller}::uuid THEN pg_advisory_xact_lock(${pairLockKey(caller, sql`p.author_id`)}) END AS locked
      FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ${postId}::uuid AND u.suspended_at IS NULL
      FOR KEY SHARE OF p`.execute(tx); // the post cannot go before the like is in
    const author = found.rows[0]?.author_id;
    if (author === undefined) return undefined;
    if (author !== caller && await blockBetween(tx, caller, author)) {
      throw forbidden("A block stands between you and this post's author");
    }
    await sql`INSERT INTO ${sql.table(kind)} (user_id, post_id, created_at)
      VALUES (${caller}::uuid, ${postId}::uuid, COALESCE(${at}::timestamptz, now()))
      ON CONFLICT DO NOTHING`.execute(tx);
    return findSocialPost(tx, caller, postId);
  });
}

async function unmark(db: Db, kind: Kind, caller: string, postId: string): Promise<SocialPost | undefined> {
  await sql`DELETE FROM ${sql.table(kind)} WHERE user_id = ${caller}::uuid AND post_id = ${postId}::uuid`.execute(db);
  return afterChange(db, caller, postId);
}

/** The post with its new count and flag; 403 where a block stands between caller and author. */
async function afterChange(db: Db, caller: string, postId: string): Promise<SocialPost | undefined> {
  const post = await findSocialPost(db, caller, postId);
  if (post && post.author_id !== caller && await blockBetween(db, caller, post.author_id)) {
    throw forbidden("A block stands between you and this post's author");
  }
  return post;
}

/**
 * Each returns the post as the caller now sees it (exact count and flag), undefined for an
 * unknown post, 403 where a block stands between caller and author. Doing it twice changes
 * nothing. `at`: null for the database's now() (DatabaseHandle.newTimestamp).
 */
export const like = (db: Db, caller: string, postId: string, at: string | null = null) => mark(db, "likes", caller, postId, at);
export const unlike = (db: Db, caller: string, postId: string) => unmark(db, "likes", caller, postId);
export const repost = (db: Db, caller: string, postId: string, at: string | null = null) => mark(db, "reposts", caller, postId, at);
export const unrepost = (db: Db, caller: string, postId: string) => unmark(db, "reposts", caller, postId);

async function whoPage(db: Db, kind: Kind, viewer: string, postId: string, after: PageKey | undefined, limit: number): Promise<Array<Keyed<User>>> {
  const result = await sql<UserEntryRow>`SELECT u.id, u.username, u.display_name, u.bio, ${ts(sql`u.created_at`)} AS created_at,
      ${ts(sql`x.created_at`)} AS key_at
    FROM ${sql.table(kind)} x JOIN users u ON u.id = x.user_id
    WHERE x.post_id = ${postId}::uuid
      ${after ? sql`AND (x.created_at, x.user_id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
      AND ${visibleTo(viewer, sql`x.user_id`, { mutes: false })}
    ORDER BY x.created_at DESC, x.user_id DESC
    LIMIT ${rowsFor(limit)}`.execute(db);
  return result.rows.map(toUserEntry);
}

/** Who liked the post, most recent first; limit+1 entries (the route checks the post exists). */
export const likesPage = (db: Db, viewer: string, postId: string, after: PageKey | undefined, limit: number) =>
  whoPage(db, "likes", viewer, postId, after, limit);
/** Who reposted the post, most recent first; limit+1 entries. */
export const repostsPage = (db: Db, viewer: string, postId: string, after: PageKey | undefined, limit: number) =>
  whoPage(db, "reposts", viewer, postId, after, limit);
