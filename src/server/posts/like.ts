// POST|DELETE /posts/{id}/like and /repost: idempotent; 200 {post} with the exact new count and flag.
import { IdParams, PostResponse } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { errorResponses, sendPost } from "../http/responses.js";
import type { App } from "../http/types.js";
import { isUuid } from "../ids.js";
import type { Db, SocialPost } from "../social/common.js";
import { like, repost, unlike, unrepost } from "../social/likes.js";

type Action = (db: Db, caller: string, postId: string) => Promise<SocialPost | undefined>;

const ACTIONS: Array<{ method: "post" | "delete"; path: string; summary: string; act: Action }> = [
  { method: "post", path: "/:id/like", summary: "Like a post (idempotent)", act: (db, c, p) => like(db, c, p) },
  { method: "delete", path: "/:id/like", summary: "Undo a like (idempotent)", act: unlike },
  { method: "post", path: "/:id/repost", summary: "Repost a post to your followers' home feeds (idempotent)", act: (db, c, p) => repost(db, c, p) },
  { method: "delete", path: "/:id/repost", summary: "Undo a repost (idempotent)", act: unrepost },
];

export function likeRoutes(app: App, ctx: AppContext): void {
  for (const { method, path, summary, act } of ACTIONS) {
    app[method](path, {
      schema: { tags: ["posts"], summary, params: IdParams, response: { 200: PostResponse, ...errorResponses(401, 403, 404) } },
    }, async (request, reply) => {
      const id = request.params.id;
      const caller = request.caller!.userId;
      if (!isUuid(id)) throw notFound("Post not found");
      let post;
      try {
        post = await act(ctx.db, caller, id.toLowerCase());
      } finally {
        // Even when the answer fails, the write may have been stored: forget the cached flags.
        await ctx.readerFlags.changed(caller);
      }
      if (!post) throw notFound("Post not found");
      return sendPost(reply, post);
    });
  }
}
