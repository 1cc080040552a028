// Owning an account (social.md, "Accounts"): change the password, delete the account, export it.
// Revocation: users.token_epoch moves on, every refresh token is revoked, and the users
// trigger tells every process's known-users cache (auth/known-users.ts) to forget the user;
// this process forgets at once, so its own next request already sees the change.
import { sql } from "kysely";
import type { AccountExport, Tokens } from "../../api/index.js";
import { checkPassword, isStorableString } from "../../api/index.js";
import { issueTokens } from "../auth/service.js";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { revokeAllRefreshTokens } from "../auth/queries.js";
import type { AppContext } from "../context.js";
import { ApiError, notFound } from "../http/errors.js";
import { isoTimestamp } from "../db/sql.js";
import { exportRelations } from "./user-data.js";

async function checkOwnPassword(ctx: AppContext, userId: string, password: string, field: string): Promise<void> {
  const row = await ctx.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirst();
  if (!row) throw notFound("User not found");
  // 403, not 401: clients read 401 as "session over" (social.md).
  const wrong = () => new ApiError("forbidden", "Wrong password", field);
  if (!isStorableString(password)) throw wrong();
  if (!(await verifyPassword(password, row.password_hash))) throw wrong();
}

export async function changePassword(ctx: AppContext, userId: string, body: { current_password: string; new_password: string }): Promise<Tokens> {
  await checkOwnPassword(ctx, userId, body.current_password, "current_password");
  const bad = checkPassword(body.new_password);
  if (bad) throw new ApiError(bad.code, bad.message, bad.field === "password" ? "new_password" : bad.field);
  const password_hash = await hashPassword(body.new_password);
  const tokens = await ctx.db.transaction().execute(async (tx) => {
    const user = await tx.updateTable("users")
      .set({ password_hash, token_epoch: sql`token_epoch + 1`, updated_at: sql`now()` })
      .where("id", "=", userId).returning(["username", "token_epoch"]).executeTakeFirst();
    if (!user) throw notFound("User not found");
    // A refresh committing meanwhile adds a token this statement's snapshot cannot see; the
    // next pass sees it. Done once a pass finds nothing left (as auth/queries.ts revokeSession).
    for (let pass = 0; pass < 5 && (await revokeAllRefreshTokens(tx, userId)) > 0; pass++);
    return issueTokens(ctx, tx, userId, user.username, user.token_epoch);
  });
  ctx.knownUsers.deleted(userId);
  return tokens;
}

/**
 * Deletes the account and, by the foreign keys' ON DELETE CASCADE, every row of it (posts,
 * sessions, keys, follows, likes, …): at once, within the request. The deletion trigger tells
 * every process; this one forgets the user now.
 */
export async function deleteAccount(ctx: AppContext, userId: string, password: string): Promise<void> {
  await checkOwnPassword(ctx, userId, password, "password");
  await deleteUserRows(ctx, userId);
}

/** Removes a user and everything of theirs; shared with `niotebook-server admin`. */
export async function deleteUserRows(ctx: Pick<AppContext, "db" | "knownUsers" | "timelineChanged">, userId: string): Promise<void> {
  await ctx.db.deleteFrom("users").where("id", "=", userId).execute();
  // The live-update log names the user too (events are written at commit, after the delete):
  // what was theirs goes, and the deletions streams still need keep only the post's id.
  await sql`DELETE FROM events WHERE kind <> 'delete' AND (user_id = ${userId}::uuid OR other_id = ${userId}::uuid)`.execute(ctx.db);
  await sql`UPDATE events SET user_id = '00000000-0000-0000-0000-000000000000', other_id = NULL WHERE user_id = ${userId}::uuid OR other_id = ${userId}::uuid`.execute(ctx.db);
  ctx.knownUsers.deleted(userId);
  // Their posts leave the first page (other processes hear the deletion trigger).
  await ctx.timelineChanged();
}

export async function exportAccount(ctx: AppContext, userId: string): Promise<AccountExport> {
  const profile = await ctx.db.selectFrom("users")
    .select(["id", "username", "email", "display_name", "bio", isoTimestamp("created_at").as("created_at")])
    .where("id", "=", userId).executeTakeFirst();
  if (!profile) throw notFound("User not found");
  const hasReplyTo = await columnExists(ctx, "posts", "reply_to_id");
  const posts = (await sql<{ id: string; content: string; created_at: string; reply_to_id?: string | null }>`
    SELECT id, content, ${isoTimestamp("created_at")} AS created_at
      ${hasReplyTo ? sql`, reply_to_id` : sql``}
    FROM posts WHERE author_id = ${userId} ORDER BY created_at, id`.execute(ctx.db)).rows;
  const keys = await ctx.db.selectFrom("ssh_keys")
    .select(["key_type as type", "fingerprint", "comment", isoTimestamp("created_at").as("created_at")])
    .where("user_id", "=", userId).orderBy("created_at").execute();
  return {
    exported_at: new Date().toISOString(),
    profile,
    posts,
    ...(await exportRelations(ctx.db, userId)),
    ssh_keys: keys,
  };
}

async function columnExists(ctx: AppContext, table: string, column: string): Promise<boolean> {
  const row = await sql<{ one: number }>`
    SELECT 1 AS one FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = ${column}`.execute(ctx.db);
  return row.rows.length > 0;
}

