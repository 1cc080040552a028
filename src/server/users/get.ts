import { IdParams, UserResponse } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { relationship } from "../social/follows.js";
import { resolveUser } from "./resolve.js";

export function getUserRoute(app: App, ctx: AppContext): void {
  app.get("/:id", {
    schema: { tags: ["users"], summary: "A user's public profile, with counts; with how you stand with them when it is not you", params: IdParams, response: { 200: UserResponse, ...errorResponses(401, 404) } },
  }, async (request) => {
    const caller = request.caller!.userId;
    const user = await resolveUser(ctx, request.caller!, request.params.id);
    if (user.id === caller) return { user };
    const rel = await relationship(ctx.db, caller, user.id);
    return rel ? { user, relationship: rel } : { user };
  });
}
