import { IdParams, UserResponse } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { resolveUser } from "./resolve.js";

export function getUserRoute(app: App, ctx: AppContext): void {
  app.get("/:id", {
    schema: { tags: ["users"], summary: "A user's public profile", params: IdParams, response: { 200: UserResponse, ...errorResponses(401, 404) } },
  }, async (request) => ({ user: await resolveUser(ctx, request.caller!, request.params.id) }));
}
