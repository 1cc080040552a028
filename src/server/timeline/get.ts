import { PageQuery, PostPage } from "../../api/index.js";
import { authenticate } from "../auth/authenticate.js";
import type { AppContext } from "../context.js";
import { bearer, errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { parseCursor, parseLimit, toPage } from "../paging.js";
import { timelinePage } from "../posts/queries.js";

export function timelineRoute(app: App, ctx: AppContext): void {
  app.get("/api/v1/timeline", {
    onRequest: authenticate(ctx),
    schema: {
      tags: ["timeline"], summary: "Everyone's posts, newest first", security: bearer,
      querystring: PageQuery, response: { 200: PostPage, ...errorResponses },
    },
  }, async (request) => {
    const limit = parseLimit(request.query.limit);
    const cursor = parseCursor(request.query.cursor);
    const rows = cursor ? await timelinePage(ctx.db, cursor, limit) : await ctx.firstPage.newest(limit);
    return toPage(rows, limit);
  });
}
