import { CreatePostBody, PostResponse, checkPostContent, normalizePostContent } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { ApiError, unauthorized, validation } from "../http/errors.js";
import { errorResponses, sendPost } from "../http/responses.js";
import type { App } from "../http/types.js";
import { isUuid } from "../ids.js";
import { isIdempotencyKey, publishPost } from "../social/publish.js";

const IDEMPOTENCY_HEADER = "Idempotency-Key";

export function createPostRoute(app: App, ctx: AppContext): void {
  app.post("", {
    schema: {
      tags: ["posts"],
      summary: "Publish a post, or a reply (reply_to_id). An Idempotency-Key header (1–100 printable ASCII) sent again by the same user " +
        "within 24 hours answers 200 with the first request's post and stores nothing; 409 conflict if that post has since been deleted",
      body: CreatePostBody, response: { 201: PostResponse, 200: PostResponse, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
    },
  }, async (request, reply) => {
    const header = request.headers["idempotency-key"];
    if (header !== undefined && (typeof header !== "string" || !isIdempotencyKey(header))) {
      throw validation(IDEMPOTENCY_HEADER, `${IDEMPOTENCY_HEADER} must be one header of 1 to 100 printable ASCII characters`);
    }
    const bad = checkPostContent(request.body.content);
    if (bad) throw new ApiError(bad.code, bad.message, bad.field);
    const replyTo = request.body.reply_to_id ?? null;
    if (replyTo !== null && !isUuid(replyTo)) throw validation("reply_to_id", "reply_to_id must be a post's id (a UUID) or null");
    const result = await publishPost(ctx.db, {
      authorId: request.caller!.userId,
      content: normalizePostContent(request.body.content),
      replyToId: replyTo?.toLowerCase() ?? null,
      ...(header === undefined ? {} : { idempotencyKey: header }),
      at: ctx.database.newTimestamp(),
    });
    if (!result) throw unauthorized("This account no longer exists");
    if (!result.created) {
      // The key was used within 24 hours: nothing new is stored. If the user has deleted that
      // post since, there is nothing to answer with, and a new post would break the key's promise.
      if (!result.post) throw new ApiError("conflict", `This ${IDEMPOTENCY_HEADER} made a post that has since been deleted`, IDEMPOTENCY_HEADER);
      return sendPost(reply.code(200), result.post);
    }
    await ctx.timelineChanged();
    return sendPost(reply.code(201), result.post);
  });
}
