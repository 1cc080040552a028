// Accounts and sessions: registration, login, refresh-token rotation with the contract's
// grace period and theft rule, logout.
import type { AuthResponse, Tokens } from "../../api/index.js";
import { checkEmail, checkPassword, checkUsername, firstError, isStorableString } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { ApiError, forbidden, suspended, unauthorized, validation } from "../http/errors.js";
import { consumeInvite, inviteUsable } from "../admin/invites.js";
import { findCredentialsByEmail, findTakenField, insertUser } from "../users/queries.js";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./passwords.js";
import {
  consumeRefreshToken, insertRefreshToken, refreshTokenState, revokeAllRefreshTokens, revokeSession,
} from "./queries.js";
import { hashRefreshToken, newRefreshToken } from "./tokens.js";
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";

const CONFLICT_MESSAGES = { username: "Username already taken", email: "E-mail already registered" } as const;

function fieldError(error: { code: "validation_error" | "content_too_long"; field: string; message: string }): ApiError {
  return new ApiError(error.code, error.message, error.field);
}

/** A new pair; a new session unless this is a rotation within `sessionId`. */
export async function issueTokens(ctx: AppContext, db: Kysely<Database>, userId: string, username: string, tokenEpoch: number, sessionId: string = randomUUID()): Promise<Tokens> {
  const refresh = newRefreshToken();
  await insertRefreshToken(db, userId, sessionId, hashRefreshToken(refresh), ctx.config.refreshTokenTtlMs);
  const access = ctx.accessTokens.issue(userId, username, tokenEpoch);
  return { access_token: access.token, refresh_token: refresh, expires_at: access.expiresAt };
}

const badInvite = () => new ApiError("forbidden", "This server needs a valid invite code to sign up", "invite_code");

function uniqueViolationField(error: unknown): "username" | "email" | null {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e?.code !== "23505") return null;
  const where = `${e.constraint ?? ""} ${e.message ?? ""}`;
  if (where.includes("email")) return "email";
  return "username";
}

export async function register(ctx: AppContext, body: { username: string; email: string; password: string; invite_code?: string }): Promise<AuthResponse> {
  // Before anything about the account, so a refusal reveals nothing about taken names.
  const mode = ctx.config.registration;
  if (mode === "closed") throw forbidden("Registration is closed on this server");
  if (mode === "invite" && !(await inviteUsable(ctx.db, body.invite_code))) throw badInvite();
  const bad = firstError(() => checkUsername(body.username), () => checkEmail(body.email), () => checkPassword(body.password));
  if (bad) throw fieldError(bad);
  const username = body.username.toLowerCase();
  const email = body.email.toLowerCase();
  const taken = await findTakenField(ctx.db, username, email);
  if (taken) throw new ApiError("conflict", CONFLICT_MESSAGES[taken], taken);
  // Hash before the transaction: a slow step must never hold the (embedded) session.
  const password_hash = await hashPassword(body.password);
  try {
    return await ctx.db.transaction().execute(async (tx) => {
      // Taken in the transaction: a sign-up that fails later gives its use back; the row lock
      // makes concurrent sign-ups queue, so N uses are used at most N times.
      if (mode === "invite" && !(await consumeInvite(tx, body.invite_code!))) throw badInvite();
      const user = await insertUser(tx, { username, email, password_hash, display_name: body.username }, ctx.database.newTimestamp());
      return { user, tokens: await issueTokens(ctx, tx, user.id, user.username, 0) };
    });
  } catch (error) {
    const field = uniqueViolationField(error);
    if (field) throw new ApiError("conflict", CONFLICT_MESSAGES[field], field);
    throw error;
  }
}

export async function login(ctx: AppContext, body: { email: string; password: string }): Promise<AuthResponse> {
  if (!isStorableString(body.email)) throw validation("email", "E-mail contains characters that are not allowed");
  if (!isStorableString(body.password)) throw validation("password", "Password contains characters that are not allowed");
  const found = await findCredentialsByEmail(ctx.db, body.email);
  // Unknown e-mail: verify against a dummy hash anyway, so both failures take as long.
  const ok = await verifyPassword(body.password, found?.password_hash ?? (await dummyPasswordHash()));
  if (!found || !ok) throw unauthorized("Invalid email or password");
  // Only after the right password: suspension reveals nothing to whoever lacks it.
  if (found.suspended) throw suspended();
  const { password_hash: _, token_epoch, suspended: __, ...user } = found;
  return { user, tokens: await issueTokens(ctx, ctx.db, user.id, user.username, token_epoch) };
}

export async function refresh(ctx: AppContext, refreshToken: string): Promise<Tokens> {
  if (!isStorableString(refreshToken)) throw validation("refresh_token", "refresh_token contains characters that are not allowed");
  const tokenHash = hashRefreshToken(refreshToken);
  const rotated = await ctx.db.transaction().execute(async (tx) => {
    const owner = await consumeRefreshToken(tx, tokenHash);
    // Thrown inside the transaction, so the token is not used up by a refusal.
    if (owner?.suspended) throw suspended();
    return owner && { owner, tokens: await issueTokens(ctx, tx, owner.user_id, owner.username, owner.token_epoch, owner.session_id) };
  });
  if (rotated) return rotated.tokens;

  const state = await refreshTokenState(ctx.db, tokenHash, ctx.config.refreshReuseGraceMs);
  if (!state) throw unauthorized("Invalid refresh token");
  if (state.revoked) throw unauthorized("This session has been signed out; log in again");
  if (state.used) {
    if (!state.used_beyond_grace) throw unauthorized("Refresh token already used");
    // Reuse long after rotation: someone else holds a copy. Sign every session out.
    await revokeAllRefreshTokens(ctx.db, state.user_id);
    throw unauthorized("Refresh token reused; every session of this account has been signed out");
  }
  if (state.expired) throw new ApiError("token_expired", "Session has expired; log in again");
  throw unauthorized("Invalid refresh token");
}

export async function logout(ctx: AppContext, refreshToken: string): Promise<void> {
  if (!isStorableString(refreshToken)) throw validation("refresh_token", "refresh_token contains characters that are not allowed");
  await revokeSession(ctx.db, hashRefreshToken(refreshToken));
}
