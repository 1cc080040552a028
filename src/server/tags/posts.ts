// GET /tags/{tag}/posts: posts carrying a tag (case-insensitive, without #), newest first.
import { ListPageQuery, PostPage, TagParams } from "../../api/index.js";
import { normalizeTag } from "../../api/entities.js";
import type { AppContext } from "../context.js";
import { errorResponses, sendPostPage } from "../http/responses.js";
import type { App } from "../http/types.js";
import { tagPostsPage } from "../social/feeds.js";
import { LISTS, pageRequest, postPage } from "../social/lists.js";

export function tagPostsRoute(app: App, ctx: AppContext): void {
  app.get("/:tag/posts", {
    schema: {
      tags: ["tags"], summary: "Posts carrying a tag, newest first (a tag nobody used: an empty list)",
      params: TagParams, querystring: ListPageQuery, response: { 200: PostPage, ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const tag = normalizeTag(request.params.tag);
    const empty = { posts: [], next_cursor: null, has_more: false };
    // Text that is no tag can carry none: an empty list (its cursor is still checked).
    const asked = pageRequest(request.query, LISTS.tag(tag ?? ""));
    if (tag === null) return sendPostPage(reply, empty);
    return sendPostPage(reply, postPage(await tagPostsPage(ctx.db, request.caller!.userId, tag, asked.after, asked.limit), asked));
  });
}
