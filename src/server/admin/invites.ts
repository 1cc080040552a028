// Invite codes (NIOTEBOOK_REGISTRATION=invite): made by `niotebook-server admin invites …`,
// used by sign-ups. A code has N uses; expired or revoked codes are refused.
import { randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { isoTimestamp } from "../db/sql.js";

type Db = Kysely<Database>;

const live = sql<boolean>`revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND uses < uses_allowed`;

/** Whether the code could be used now (the check before anything else; consumeInvite decides). */
export async function inviteUsable(db: Db, code: string | undefined): Promise<boolean> {
  if (typeof code !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(code)) return false;
  const row = await db.selectFrom("invites").select("code").where("code", "=", code).where(live).executeTakeFirst();
  return row !== undefined;
}

/** Takes one use, atomically; false when none is left (or the code went meanwhile). */
export async function consumeInvite(db: Db, code: string): Promise<boolean> {
  const row = await db.updateTable("invites").set({ uses: sql`uses + 1` }).where("code", "=", code).where(live)
    .returning("code").executeTakeFirst();
  return row !== undefined;
}

export interface InviteRow {
  code: string;
  uses_allowed: number;
  uses: number;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

const inviteColumns = ["code", "uses_allowed", "uses", isoTimestamp("expires_at").as("expires_at"),
  isoTimestamp("revoked_at").as("revoked_at"), isoTimestamp("created_at").as("created_at")] as const;

export function createInvite(db: Db, uses: number, expiresInMs: number | null): Promise<InviteRow> {
  const code = randomBytes(12).toString("base64url");
  return db.insertInto("invites").values({
    code, uses_allowed: uses, expires_at: expiresInMs === null ? null : sql<string>`now() + make_interval(secs => ${expiresInMs / 1000})`, revoked_at: null,
  }).returning(inviteColumns).executeTakeFirstOrThrow() as Promise<InviteRow>;
}

export function listInvites(db: Db): Promise<InviteRow[]> {
  return db.selectFrom("invites").select(inviteColumns).orderBy("created_at").execute() as Promise<InviteRow[]>;
}

/** false when there is no such code. */
export async function revokeInvite(db: Db, code: string): Promise<boolean> {
  const result = await db.updateTable("invites").set({ revoked_at: sql`COALESCE(revoked_at, now())` }).where("code", "=", code).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
