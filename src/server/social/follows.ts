// Follows: the writes (idempotent; the counters are kept by the follows_count trigger) and
// the two lists, most recent follow first.
import { sql } from "kysely";
import type { Relationship, User } from "../../api/index.js";
import { forbidden } from "../http/errors.js";
import {
  SelfActionError, rowsFor, toUserEntry, ts, visibleTo,
  type Db, type Keyed, type PageKey, type UserEntryRow,
} from "./common.js";

/** How `caller` stands with `user`; undefined when `user` does not exist. Ids must be UUIDs. */
export async function relationship(db: Db, caller: string, user: string): Promise<Relationship | undefined> {
  const result = await sql<Relationship>`SELECT
      EXISTS (SELECT 1 FROM follows WHERE follower_id = ${caller}::uuid AND followee_id = u.id) AS following,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = u.id AND followee_id = ${caller}::uuid) AS followed_by,
      EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${caller}::uuid AND blocked_id = u.id) AS blocking,
      EXISTS (SELECT 1 FROM blocks WHERE blocker_id = u.id AND blocked_id = ${caller}::uuid) AS blocked_by,
      EXISTS (SELECT 1 FROM mutes WHERE muter_id = ${caller}::uuid AND muted_id = u.id) AS muting
    FROM users u WHERE u.id = ${user}::uuid`.execute(db);
  return result.rows[0];
}

/**
 * `caller` follows `user` (again: nothing changes). undefined when `user` does not exist;
 * SelfActionError for yourself; 403 where a block stands between them (nothing is stored).
 * `at`: the follow's time, null for the database's now() (DatabaseHandle.newTimestamp).
 */
export async function follow(db: Db, caller: string, user: string, at: string | null = null): Promise<Relationship | undefined> {
  if (caller === user) throw new SelfActionError("You cannot follow yourself");
  // One statement: the block check and the insert see the same snapshot.
  await sql`INSERT INTO follows (follower_id, followee_id, created_at)
    SELECT ${caller}::uuid, u.id, COALESCE(${at}::timestamptz, now()) FROM users u
    WHERE u.id = ${user}::uuid AND NOT EXISTS (SELECT 1 FROM blocks b
      WHERE (b.blocker_id = ${caller}::uuid AND b.blocked_id = u.id) OR (b.blocker_id = u.id AND b.blocked_id = ${caller}::uuid))
    ON CONFLICT DO NOTHING`.execute(db);
  const rel = await relationship(db, caller, user);
  if (rel && (rel.blocking || rel.blocked_by)) throw forbidden("A block stands between you and this user");
  return rel;
}

/** `caller` stops following `user` (not following: nothing changes). As follow() otherwise. */
export async function unfollow(db: Db, caller: string, user: string): Promise<Relationship | undefined> {
  if (caller === user) throw new SelfActionError("You cannot unfollow yourself");
  await db.deleteFrom("follows").where("follower_id", "=", caller).where("followee_id", "=", user).execute();
  const rel = await relationship(db, caller, user);
  if (rel && (rel.blocking || rel.blocked_by)) throw forbidden("A block stands between you and this user");
  return rel;
}

type Direction = "followers" | "following";

async function followList(db: Db, viewer: string, user: string, direction: Direction, after: PageKey | undefined, limit: number): Promise<Array<Keyed<User>>> {
  // followers of `user`: rows where followee = user, listing the follower; following: the reverse.
  const [self, other] = direction === "followers" ? [sql`f.followee_id`, sql`f.follower_id`] : [sql`f.follower_id`, sql`f.followee_id`];
  const result = await sql<UserEntryRow>`SELECT u.id, u.username, u.display_name, u.bio, ${ts(sql`u.created_at`)} AS created_at,
      ${ts(sql`f.created_at`)} AS key_at
    FROM follows f JOIN users u ON u.id = ${other}
    WHERE ${self} = ${user}::uuid
      ${after ? sql`AND (f.created_at, ${other}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
      AND ${visibleTo(viewer, other, { mutes: false })}
    ORDER BY f.created_at DESC, ${other} DESC
    LIMIT ${rowsFor(limit)}`.execute(db);
  return result.rows.map(toUserEntry);
}

/** Who follows `user`, most recent first, as `viewer` may see them; limit+1 entries. */
export function followersPage(db: Db, viewer: string, user: string, after: PageKey | undefined, limit: number): Promise<Array<Keyed<User>>> {
  return followList(db, viewer, user, "followers", after, limit);
}

/** Whom `user` follows, most recent first, as `viewer` may see them; limit+1 entries. */
export function followingPage(db: Db, viewer: string, user: string, after: PageKey | undefined, limit: number): Promise<Array<Keyed<User>>> {
  return followList(db, viewer, user, "following", after, limit);
}
