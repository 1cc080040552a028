// GET /posts/{id}/thread: ancestors (root-most first), the post, its direct replies oldest first.
import { IdParams, ListPageQuery, ThreadPage } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { errorResponses, sendSerialised } from "../http/responses.js";
import type { App } from "../http/types.js";
import { isUuid } from "../ids.js";
import { threadPage } from "../social/feeds.js";
import { LISTS, pageRequest, postPage } from "../social/lists.js";

export function threadRoute(app: App, ctx: AppContext): void {
  app.get("/:id/thread", {
    schema: {
      tags: ["posts"], summary: "A post's conversation: its ancestors, the post, and its direct replies (paged, oldest first)",
      params: IdParams, querystring: ListPageQuery, response: { 200: ThreadPage, ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const raw = request.params.id;
    if (!isUuid(raw)) throw notFound("Post not found");
    const id = raw.toLowerCase();
    const asked = pageRequest(request.query, LISTS.thread(id));
    const thread = await threadPage(ctx.db, request.caller!.userId, id, asked.after, asked.limit);
    if (!thread) throw notFound("Post not found");
    const { posts, next_cursor, has_more } = postPage(thread.replies, asked);
    // Built field by field in the contract's order (see sendPost on the compiled serialiser).
    return sendSerialised(reply, JSON.stringify({ ancestors: thread.ancestors, post: thread.post, replies: posts, next_cursor, has_more }));
  });
}
