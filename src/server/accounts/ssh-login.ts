// SSH-key log-in (social.md, "SSH keys"): a challenge naming this server's origin, then an
// SSHSIG over it. Every failure is the same 401 and costs the same work: the challenge is
// used up, the signature verified and the account's keys read whatever the earlier steps found.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { FastifyRequest } from "fastify";
import type { AuthResponse, SshChallengeResponse } from "../../api/index.js";
import { isStorableString } from "../../api/index.js";
import { canonicalOrigin, formatChallenge } from "../../api/ssh-challenge.js";
import { LOGIN_NAMESPACE } from "../../api/ssh-wire.js";
import { issueTokens } from "../auth/service.js";
import { verifySshSig } from "../auth/ssh/sshsig.js";
import type { AppContext } from "../context.js";
import { isoTimestamp } from "../db/sql.js";
import { suspended, unauthorized, validation } from "../http/errors.js";

export const CHALLENGE_TTL_SECONDS = 300;
const MAX_USERNAME_CHARS = 64;

/**
 * This server's origin as clients reach it: NIOTEBOOK_PUBLIC_URL when set (behind a proxy that
 * rewrites Host, set it), else the request's scheme and Host — X-Forwarded-Proto/-Host count
 * only from a proxy in NIOTEBOOK_TRUST_PROXY (Fastify's trustProxy).
 */
export function serverOrigin(ctx: AppContext, request: FastifyRequest): string {
  if (ctx.config.publicOrigin) return ctx.config.publicOrigin;
  const origin = canonicalOrigin(`${request.protocol}://${request.host}`);
  if (origin === null) throw validation(undefined, "The Host header does not name this server; the operator can set NIOTEBOOK_PUBLIC_URL");
  return origin;
}

function checkUsernameText(username: string): string {
  if (!isStorableString(username) || [...username].length > MAX_USERNAME_CHARS) {
    throw validation("username", "Username contains characters that are not allowed or is too long");
  }
  return username.toLowerCase();
}

export async function createChallenge(ctx: AppContext, origin: string, username: string): Promise<SshChallengeResponse> {
  const name = checkUsernameText(username);
  const challenge = formatChallenge(origin, randomBytes(24).toString("base64url"));
  await ctx.db.deleteFrom("ssh_challenges").where("expires_at", "<", sql<string>`now()`).execute();
  const row = await ctx.db.insertInto("ssh_challenges")
    .values({ challenge, username: name, expires_at: sql<string>`now() + make_interval(secs => ${CHALLENGE_TTL_SECONDS})` })
    .returning(isoTimestamp("expires_at").as("expires_at")).executeTakeFirstOrThrow();
  return { challenge, namespace: LOGIN_NAMESPACE, expires_at: row.expires_at };
}

export async function sshLogin(ctx: AppContext, body: { username: string; challenge: string; signature: string }): Promise<AuthResponse> {
  const name = checkUsernameText(body.username);
  const fail = () => unauthorized("Invalid username, challenge or signature");
  if (!isStorableString(body.challenge) || !isStorableString(body.signature)) throw fail();
  // Used up by this attempt, right or wrong, whoever it names.
  const used = await ctx.db.deleteFrom("ssh_challenges").where("challenge", "=", body.challenge)
    .returning(["username", sql<boolean>`expires_at > now()`.as("live")]).executeTakeFirst();
  let signer: Buffer | null;
  try {
    signer = verifySshSig(body.signature, Buffer.from(body.challenge, "utf8"), LOGIN_NAMESPACE).publicKey;
  } catch {
    signer = null;
  }
  const rows = (await sql<{ id: string; username: string; display_name: string; bio: string; created_at: string; followers_count: number; following_count: number; posts_count: number; token_epoch: number; suspended: boolean; public_key: string | null }>`
    SELECT u.id, u.username, u.display_name, u.bio, ${isoTimestamp("u.created_at")} AS created_at,
           u.followers_count, u.following_count, u.posts_count, u.token_epoch,
           u.suspended_at IS NOT NULL AS suspended, k.public_key
    FROM users u LEFT JOIN ssh_keys k ON k.user_id = u.id
    WHERE u.username = ${name}`.execute(ctx.db)).rows;
  const signerText = signer?.toString("base64");
  const keyMatches = signerText !== undefined && rows.some((r) => r.public_key === signerText);
  const ok = used !== undefined && used.live && used.username === name && keyMatches;
  if (!ok) throw fail();
  const { token_epoch, suspended: isSuspended, public_key: _, ...user } = rows[0]!;
  // Only after a valid signature, as for passwords: suspension reveals nothing to others.
  if (isSuspended) throw suspended();
  return { user, tokens: await issueTokens(ctx, ctx.db, user.id, user.username, token_epoch) };
}

