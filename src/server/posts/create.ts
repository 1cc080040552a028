import { CreatePostBody, PostResponse, checkPostContent, normalizePostContent } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { ApiError, unauthorized } from "../http/errors.js";
import { errorResponses, sendPost } from "../http/responses.js";
import type { App } from "../http/types.js";
import { insertPost } from "./queries.js";

export function createPostRoute(app: App, ctx: AppContext): void {
  app.post("", {
    schema: {
      tags: ["posts"], summary: "Publish a post",
      body: CreatePostBody, response: { 201: PostResponse, ...errorResponses(400, 401, 413, 415) },
    },
  }, async (request, reply) => {
    const bad = checkPostContent(request.body.content);
    if (bad) throw new ApiError(bad.code, bad.message, bad.field);
    const post = await insertPost(ctx.db, request.caller!.userId, normalizePostContent(request.body.content), ctx.database.newTimestamp());
    if (!post) throw unauthorized("This account no longer exists");
    await ctx.timelineChanged();
    return sendPost(reply.code(201), post);
  });
}
