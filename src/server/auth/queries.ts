import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.js";

type Db = Kysely<Database>;

export async function insertRefreshToken(db: Db, userId: string, sessionId: string, tokenHash: string, ttlMs: number): Promise<void> {
  await db.insertInto("refresh_tokens").values({
    user_id: userId,
    session_id: sessionId,
    token_hash: tokenHash,
    expires_at: sql<string>`now() + make_interval(secs => ${ttlMs / 1000})`,
  }).execute();
}

/**
 * Marks a live token used, atomically: of two concurrent refreshes with one token, exactly
 * one gets the row back. Returns the owner, or undefined when the token is not live.
 */
export async function consumeRefreshToken(db: Db, tokenHash: string): Promise<{ user_id: string; username: string; session_id: string; token_epoch: number; suspended: boolean } | undefined> {
  const result = await sql<{ user_id: string; username: string; session_id: string; token_epoch: number; suspended: boolean }>`
    UPDATE refresh_tokens t SET used_at = now()
    FROM users u
    WHERE t.token_hash = ${tokenHash} AND t.used_at IS NULL AND t.revoked_at IS NULL
      AND t.expires_at > now() AND u.id = t.user_id
    RETURNING t.user_id, u.username, t.session_id, u.token_epoch, u.suspended_at IS NOT NULL AS suspended`.execute(db);
  return result.rows[0];
}

/** Why a token that could not be consumed is not live. */
export async function refreshTokenState(db: Db, tokenHash: string, graceMs: number) {
  return db.selectFrom("refresh_tokens").select([
    "user_id",
    sql<boolean>`revoked_at IS NOT NULL`.as("revoked"),
    sql<boolean>`used_at IS NOT NULL`.as("used"),
    sql<boolean>`used_at < now() - make_interval(secs => ${graceMs / 1000})`.as("used_beyond_grace"),
    sql<boolean>`expires_at <= now()`.as("expired"),
  ]).where("token_hash", "=", tokenHash).executeTakeFirst();
}

/** Revokes every live refresh token of the user; returns how many it revoked. */
export async function revokeAllRefreshTokens(db: Db, userId: string): Promise<number> {
  const result = await db.updateTable("refresh_tokens").set({ revoked_at: sql`now()` })
    .where("user_id", "=", userId).where("revoked_at", "is", null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Logout: revokes every token of the session the given one belongs to — the live one and the
 * rotated ones, so that presenting any of them later is "signed out", never the theft rule.
 */
export async function revokeSession(db: Db, tokenHash: string): Promise<void> {
  // A refresh committing while this runs adds a token this statement's snapshot cannot see;
  // the next statement sees it. Once the live token is revoked no refresh can add another,
  // so this ends after a pass that found nothing left (two, unless it raced a refresh).
  for (let pass = 0; pass < 5; pass++) {
    const result = await db.updateTable("refresh_tokens").set({ revoked_at: sql`now()` })
      .where("session_id", "=", (qb) => qb.selectFrom("refresh_tokens").select("session_id").where("token_hash", "=", tokenHash))
      .where("revoked_at", "is", null).executeTakeFirst();
    if (result.numUpdatedRows === 0n) return;
  }
}

export async function deleteExpiredRefreshTokens(db: Db): Promise<number> {
  const result = await db.deleteFrom("refresh_tokens").where("expires_at", "<", sql<string>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
