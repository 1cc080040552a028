import { PageQuery, PostPage } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses, sendPostPage, sendSerialised } from "../http/responses.js";
import type { App } from "../http/types.js";
import { parseV1PageRequest, toPostPage } from "../db/pagination.js";
import { TIMELINE_LIST, timelinePage } from "./queries.js";

export function timelineRoute(app: App, ctx: AppContext): void {
  app.get("", {
    schema: {
      tags: ["timeline"], summary: "Everyone's posts, newest first",
      querystring: PageQuery, response: { 200: PostPage, ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const page = parseV1PageRequest(request.query, TIMELINE_LIST);
    if (page.after || page.before) return sendPostPage(reply, toPostPage(await timelinePage(ctx.db, page, page.limit), page));
    // The first page is the same for everyone: cached, and its JSON rendered once.
    const body = await ctx.firstPage.newestRendered(page.limit, (rows) => JSON.stringify(toPostPage(rows, page)));
    return sendSerialised(reply, body);
  });
}
