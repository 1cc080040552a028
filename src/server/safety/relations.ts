// POST|DELETE /api/v1/users/{id}/block and /mute → 200 {user, relationship}.
import { IdParams, UserRelationshipResponse } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import type { Relationship } from "../../api/index.js";
import type { Db } from "../social/common.js";
import { resolveUser } from "../users/resolve.js";
import { block, mute, unblock, unmute } from "./queries.js";
import { safetyReaders } from "./reader-filter.js";

type Change = (db: Db, caller: string, user: string) => Promise<Relationship | undefined>;

const ACTIONS: Array<{ path: "block" | "mute"; method: "post" | "delete"; change: Change; summary: string }> = [
  { path: "block", method: "post", change: block, summary: "Block a user (ends follows both ways; hides them both ways)" },
  { path: "block", method: "delete", change: unblock, summary: "Unblock a user" },
  { path: "mute", method: "post", change: mute, summary: "Mute a user (private: hides their posts from you)" },
  { path: "mute", method: "delete", change: unmute, summary: "Unmute a user" },
];

export function relationRoutes(app: App, ctx: AppContext): void {
  for (const { path, method, change, summary } of ACTIONS) {
    app[method](`/users/:id/${path}`, {
      schema: {
        tags: ["safety"], summary,
        params: IdParams, response: { 200: UserRelationshipResponse, ...errorResponses(400, 401, 404) },
      },
    }, async (request) => {
      const caller = request.caller!;
      const user = await resolveUser(ctx, caller, request.params.id);
      const relationship = await change(ctx.db, caller.userId, user.id);
      // The user went away between the two statements: as unknown.
      if (!relationship) throw notFound("User not found");
      await safetyReaders(ctx).changed(caller.userId, user.id);
      // Read again: a block ends follows both ways, so the counts moved.
      return { user: await resolveUser(ctx, caller, user.id), relationship };
    });
  }
}
