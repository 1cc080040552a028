import { PageQuery, PostPage } from "../../api/index.js";
import { authenticate } from "../auth/authenticate.js";
import type { AppContext } from "../context.js";
import { bearer, errorResponses, sendPostPage, sendSerialised } from "../http/responses.js";
import type { App } from "../http/types.js";
import { parseCursor, parseLimit, toPage } from "../paging.js";
import { timelinePage } from "../posts/queries.js";

export function timelineRoute(app: App, ctx: AppContext): void {
  app.get("/api/v1/timeline", {
    onRequest: authenticate(ctx),
    schema: {
      tags: ["timeline"], summary: "Everyone's posts, newest first", security: bearer,
      querystring: PageQuery, response: { 200: PostPage, ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const limit = parseLimit(request.query.limit);
    const cursor = parseCursor(request.query.cursor);
    if (cursor) return sendPostPage(reply, toPage(await timelinePage(ctx.db, cursor, limit), limit));
    // The first page is the same for everyone: cached, and its JSON rendered once.
    const body = await ctx.firstPage.newestRendered(limit, (rows) => JSON.stringify(toPage(rows, limit)));
    return sendSerialised(reply, body);
  });
}
