// GET /posts/{id}/likes and /reposts: who did it, most recent first, paged.
import { IdParams, ListPageQuery, UserPage } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { isUuid } from "../ids.js";
import { likesPage, repostsPage } from "../social/likes.js";
import { LISTS, pageRequest, userPage } from "../social/lists.js";

const LIST_ROUTES = [
  { path: "/:id/likes", summary: "Who liked a post, most recent first", list: LISTS.likes, page: likesPage },
  { path: "/:id/reposts", summary: "Who reposted a post, most recent first", list: LISTS.reposts, page: repostsPage },
] as const;

export function engagerRoutes(app: App, ctx: AppContext): void {
  for (const { path, summary, list, page } of LIST_ROUTES) {
    app.get(path, {
      schema: {
        tags: ["posts"], summary, params: IdParams, querystring: ListPageQuery,
        response: { 200: UserPage, ...errorResponses(400, 401, 404) },
      },
    }, async (request) => {
      const raw = request.params.id;
      if (!isUuid(raw)) throw notFound("Post not found");
      const id = raw.toLowerCase();
      const asked = pageRequest(request.query, list(id));
      const exists = await ctx.db.selectFrom("posts").select("id").where("id", "=", id).executeTakeFirst();
      if (!exists) throw notFound("Post not found");
      return userPage(await page(ctx.db, request.caller!.userId, id, asked.after, asked.limit), asked);
    });
  }
}
