import { IdParams, PostResponse } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { errorResponses, sendPost } from "../http/responses.js";
import type { App } from "../http/types.js";
import { isUuid } from "../ids.js";
import { blockBetween, findSocialPost } from "../social/common.js";

export function getPostRoute(app: App, ctx: AppContext): void {
  app.get("/:id", {
    schema: { tags: ["posts"], summary: "One post (counts exact)", params: IdParams, response: { 200: PostResponse, ...errorResponses(401, 404) } },
  }, async (request, reply) => {
    const post = isUuid(request.params.id) ? await findSocialPost(ctx.db, request.caller!.userId, request.params.id.toLowerCase()) : undefined;
    // A block either way hides the post as if it did not exist (social.md's table).
    if (!post || await blockBetween(ctx.db, request.caller!.userId, post.author_id)) throw notFound("Post not found");
    return sendPost(reply, post);
  });
}
