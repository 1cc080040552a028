// GET /users/{id}/followers and /following: most recent follow first, paged.
import { IdParams, ListPageQuery, UserPage } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { followersPage, followingPage } from "../social/follows.js";
import { LISTS, pageRequest, userPage } from "../social/lists.js";
import { resolveUser } from "./resolve.js";

const LIST_ROUTES = [
  { path: "/:id/followers", summary: "Who follows a user, most recent follow first", list: LISTS.followers, page: followersPage },
  { path: "/:id/following", summary: "Whom a user follows, most recent follow first", list: LISTS.following, page: followingPage },
] as const;

export function followListRoutes(app: App, ctx: AppContext): void {
  for (const { path, summary, list, page } of LIST_ROUTES) {
    app.get(path, {
      schema: {
        tags: ["users"], summary, params: IdParams, querystring: ListPageQuery,
        response: { 200: UserPage, ...errorResponses(400, 401, 404) },
      },
    }, async (request) => {
      const user = await resolveUser(ctx, request.caller!, request.params.id);
      // Bound to the resolved id: me, the id and @username are one list.
      const asked = pageRequest(request.query, list(user.id));
      return userPage(await page(ctx.db, request.caller!.userId, user.id, asked.after, asked.limit), asked);
    });
  }
}
