import { IdParams, UserResponse } from "../../api/index.js";
import { authenticate } from "../auth/authenticate.js";
import type { AppContext } from "../context.js";
import { bearer, errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { resolveUser } from "./resolve.js";

export function getUserRoute(app: App, ctx: AppContext): void {
  app.get("/api/v1/users/:id", {
    onRequest: authenticate(ctx),
    schema: { tags: ["users"], summary: "A user's public profile", security: bearer, params: IdParams, response: { 200: UserResponse, ...errorResponses(401, 404) } },
  }, async (request) => ({ user: await resolveUser(ctx, request.caller!, request.params.id) }));
}
