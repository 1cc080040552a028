// SSH keys on an account (social.md, "SSH keys"): add, list, remove.
import type { SshKey } from "../../api/index.js";
import { parsePublicKeyLine, SshKeyError } from "../auth/ssh/public-key.js";
import type { AppContext } from "../context.js";
import { ApiError, notFound, validation } from "../http/errors.js";
import { isoTimestamp } from "../db/sql.js";
import { isUuid } from "../ids.js";

const columns = ["id", "key_type as type", "fingerprint", "comment", isoTimestamp("created_at").as("created_at")] as const;

export async function addSshKey(ctx: AppContext, userId: string, line: string): Promise<SshKey> {
  let parsed;
  try {
    parsed = parsePublicKeyLine(line);
  } catch (error) {
    if (error instanceof SshKeyError) throw validation("public_key", error.message);
    throw error;
  }
  const publicKey = Buffer.from(parsed.blob).toString("base64");
  // ON CONFLICT: two concurrent adds of one key give one row and one 409.
  const key = await ctx.db.insertInto("ssh_keys")
    .values({ user_id: userId, key_type: parsed.type, public_key: publicKey, fingerprint: parsed.fingerprint, comment: parsed.comment })
    .onConflict((oc) => oc.columns(["user_id", "public_key"]).doNothing())
    .returning(columns).executeTakeFirst();
  if (!key) throw new ApiError("conflict", "This key is already on your account", "public_key");
  return key;
}

export function listSshKeys(ctx: AppContext, userId: string): Promise<SshKey[]> {
  return ctx.db.selectFrom("ssh_keys").select(columns).where("user_id", "=", userId).orderBy("created_at").orderBy("id").execute();
}

export async function removeSshKey(ctx: AppContext, userId: string, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound("Key not found");
  const result = await ctx.db.deleteFrom("ssh_keys").where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound("Key not found");
}
