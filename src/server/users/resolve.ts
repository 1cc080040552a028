import type { Profile } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import type { Caller } from "../http/types.js";
import { isUuid } from "../ids.js";
import { findUserById, findUserByUsername } from "./queries.js";

/** Which user a path segment names, before asking the database whether there is one. */
export type UserRef = { id: string } | { username: string };

/** Reads a user path segment: a UUID, `me`, or `@username` (case-insensitive); null names nobody. */
export function parseUserRef(caller: Caller, segment: string): UserRef | null {
  if (segment === "me") return { id: caller.userId };
  if (segment.startsWith("@") && /^@[A-Za-z0-9_]{1,32}$/.test(segment)) return { username: segment.slice(1).toLowerCase() };
  if (isUuid(segment)) return { id: segment.toLowerCase() };
  return null;
}

/** The user a path segment names, or 404. */
export async function resolveUser(ctx: AppContext, caller: Caller, segment: string): Promise<Profile> {
  const ref = parseUserRef(caller, segment);
  const user = ref && ("id" in ref ? await findUserById(ctx.db, ref.id) : await findUserByUsername(ctx.db, ref.username));
  if (!user) throw notFound("User not found");
  return user;
}
