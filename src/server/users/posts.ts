import { IdParams, PageQuery, PostPage } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { errorResponses, sendPostPage } from "../http/responses.js";
import type { App } from "../http/types.js";
import { checkList, parseV1PageRequest, toPostPage } from "../db/pagination.js";
import { userPostsPage } from "../posts/queries.js";
import { parseUserRef } from "./resolve.js";

/** A user's posts' list identity, bound into its cursors. */
export const userPostsList = (userId: string): string => `user-posts:${userId}`;

export function userPostsRoute(app: App, ctx: AppContext): void {
  app.get("/:id/posts", {
    schema: {
      tags: ["users"], summary: "A user's posts, newest first (without author)",
      params: IdParams, querystring: PageQuery, response: { 200: PostPage, ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const ref = parseUserRef(request.caller!, request.params.id);
    if (!ref) throw notFound("User not found");
    // By resolved id: /users/me/posts and /users/<my id>/posts are one list. A user named by
    // @username is known only after the page's one statement, so its cursor is checked then.
    const asked = parseV1PageRequest(request.query, "id" in ref ? userPostsList(ref.id) : undefined);
    // One statement: the page, hydrated for the caller (flags, counts, mentions, tags), and
    // empty when a block stands between the two (social.md's table), either way.
    const found = await userPostsPage(ctx.db, ref, asked, asked.limit, request.caller!.userId);
    if (!found) throw notFound("User not found");
    return sendPostPage(reply, toPostPage(found.posts, checkList(asked, userPostsList(found.userId))));
  });
}
