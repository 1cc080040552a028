// Blocks, mutes and reports (social.md, "Blocks, mutes and reports"): the idempotent writes,
// the caller's two lists (most recent first) and storing a report.
import { sql } from "kysely";
import type { User } from "../../api/index.js";
import {
  SelfActionError, rowsFor, toUserEntry, ts,
  type Db, type Keyed, type PageKey, type UserEntryRow,
} from "../social/common.js";
import type { Relationship } from "../../api/index.js";
import { relationship } from "../social/follows.js";
import { pairLockKey } from "./migrations.js";

export type SafetyKind = "blocks" | "mutes";

const COLUMNS = {
  blocks: { actor: "blocker_id", target: "blocked_id" },
  mutes: { actor: "muter_id", target: "muted_id" },
} as const;

/**
 * `caller` blocks `user`: the block is stored and follows both ways end, in one transaction
 * that holds the pair's advisory lock (the follows_block_guard trigger takes the same one), so
 * a concurrent follow either lands first and is deleted here, or waits and sees the block.
 * Again: nothing changes. undefined when `user` does not exist.
 */
export async function block(db: Db, caller: string, user: string): Promise<Relationship | undefined> {
  if (caller === user) throw new SelfActionError("You cannot block yourself");
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${pairLockKey(caller, user)})`.execute(tx);
    await sql`INSERT INTO blocks (blocker_id, blocked_id)
      SELECT ${caller}::uuid, u.id FROM users u WHERE u.id = ${user}::uuid
      ON CONFLICT DO NOTHING`.execute(tx);
    // After the lock, each statement's snapshot sees any follow that committed meanwhile.
    await sql`DELETE FROM follows WHERE (follower_id = ${caller}::uuid AND followee_id = ${user}::uuid)
      OR (follower_id = ${user}::uuid AND followee_id = ${caller}::uuid)`.execute(tx);
    return relationship(tx, caller, user);
  });
}

async function remove(db: Db, kind: SafetyKind, caller: string, user: string): Promise<Relationship | undefined> {
  const { actor, target } = COLUMNS[kind];
  await sql`DELETE FROM ${sql.table(kind)} WHERE ${sql.ref(actor)} = ${caller}::uuid AND ${sql.ref(target)} = ${user}::uuid`.execute(db);
  return relationship(db, caller, user);
}

export async function unblock(db: Db, caller: string, user: string): Promise<Relationship | undefined> {
  if (caller === user) throw new SelfActionError("You cannot unblock yourself");
  return remove(db, "blocks", caller, user);
}

/** `caller` mutes `user` (private, one-way; follows stay). Idempotent; undefined for an unknown user. */
export async function mute(db: Db, caller: string, user: string): Promise<Relationship | undefined> {
  if (caller === user) throw new SelfActionError("You cannot mute yourself");
  await sql`INSERT INTO mutes (muter_id, muted_id) SELECT ${caller}::uuid, u.id FROM users u WHERE u.id = ${user}::uuid
    ON CONFLICT DO NOTHING`.execute(db);
  return relationship(db, caller, user);
}

export async function unmute(db: Db, caller: string, user: string): Promise<Relationship | undefined> {
  if (caller === user) throw new SelfActionError("You cannot unmute yourself");
  return remove(db, "mutes", caller, user);
}

/** The users `caller` blocks or mutes, most recent first (key: the block's time and the user's id); limit+1. */
export async function safetyListPage(db: Db, kind: SafetyKind, caller: string, after: PageKey | undefined, limit: number): Promise<Array<Keyed<User>>> {
  const { actor, target } = COLUMNS[kind];
  const other = sql.ref(`x.${target}`);
  const result = await sql<UserEntryRow>`SELECT u.id, u.username, u.display_name, u.bio, ${ts(sql`u.created_at`)} AS created_at,
      ${ts(sql`x.created_at`)} AS key_at
    FROM ${sql.table(kind)} x JOIN users u ON u.id = ${other}
    WHERE ${sql.ref(`x.${actor}`)} = ${caller}::uuid
      ${after ? sql`AND (x.created_at, ${other}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
    ORDER BY x.created_at DESC, ${other} DESC
    LIMIT ${rowsFor(limit)}`.execute(db);
  return result.rows.map(toUserEntry);
}

export type ReportTarget = { postId: string } | { userId: string };

/**
 * Stores a report by `reporter`, with a copy of the post's content; undefined when the post
 * or user does not exist (nothing is stored). `reason` already checked (checkReportReason).
 */
export async function createReport(db: Db, reporter: string, target: ReportTarget, reason: string): Promise<{ id: string; created_at: string } | undefined> {
  const source = "postId" in target
    ? sql`SELECT p.id AS post_id, p.author_id AS user_id, p.content FROM posts p WHERE p.id = ${target.postId}::uuid`
    : sql`SELECT NULL::uuid AS post_id, u.id AS user_id, NULL::text AS content FROM users u WHERE u.id = ${target.userId}::uuid`;
  const result = await sql<{ id: string; created_at: string }>`INSERT INTO reports (reporter_id, post_id, user_id, content, reason)
    SELECT ${reporter}::uuid, s.post_id, s.user_id, s.content, ${reason}::text FROM (${source}) s
    RETURNING id, ${ts(sql`created_at`)} AS created_at`.execute(db);
  return result.rows[0];
}
