// GET /timeline/home: the caller's and followed users' posts, and their reposts, newest entry first.
import { ListPageQuery, PostPage } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses, sendPostPage } from "../http/responses.js";
import type { App } from "../http/types.js";
import { homeFeedPage } from "../social/feeds.js";
import { LISTS, pageRequest, postPage } from "../social/lists.js";

export function homeRoute(app: App, ctx: AppContext): void {
  app.get("/home", {
    schema: {
      tags: ["timeline"], summary: "Your home feed: posts by you and whom you follow, and their reposts, newest entry first",
      querystring: ListPageQuery, response: { 200: PostPage, ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const caller = request.caller!.userId;
    const asked = pageRequest(request.query, LISTS.home(caller));
    return sendPostPage(reply, postPage(await homeFeedPage(ctx.db, caller, asked.after, asked.limit, undefined, ctx.narrowReaders), asked));
  });
}
