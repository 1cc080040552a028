import type { User } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import type { Caller } from "../http/types.js";
import { isUuid } from "../ids.js";
import { findUserById, findUserByUsername } from "./queries.js";

/** Resolves a user path segment: a UUID, `me`, or `@username` (case-insensitive). */
export async function resolveUser(ctx: AppContext, caller: Caller, segment: string): Promise<User> {
  let user: User | undefined;
  if (segment === "me") user = await findUserById(ctx.db, caller.userId);
  else if (segment.startsWith("@") && /^@[A-Za-z0-9_]{1,32}$/.test(segment)) user = await findUserByUsername(ctx.db, segment.slice(1));
  else if (isUuid(segment)) user = await findUserById(ctx.db, segment.toLowerCase());
  if (!user) throw notFound("User not found");
  return user;
}
