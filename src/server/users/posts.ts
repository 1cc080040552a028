import { IdParams, PageQuery, PostPage } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { errorResponses, sendPostPage } from "../http/responses.js";
import type { App } from "../http/types.js";
import { checkList, parseV1PageRequest, toPostPage } from "../db/pagination.js";
import { userPostsPage } from "../posts/queries.js";
import { blockBetween } from "../social/common.js";
import { safetyReaders } from "../safety/reader-filter.js";
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
    const since = performance.now();
    const ref = parseUserRef(request.caller!, request.params.id);
    if (!ref) throw notFound("User not found");
    // By resolved id: /users/me/posts and /users/<my id>/posts are one list. A user named by
    // @username is known only after the page's one statement, so its cursor is checked then.
    const asked = parseV1PageRequest(request.query, "id" in ref ? userPostsList(ref.id) : undefined);
    const caller = request.caller!.userId;
    // The page comes hydrated for the caller (flags, counts, mentions, tags) in its one statement.
    const found = await userPostsPage(ctx.db, ref, asked, asked.limit, caller);
    if (!found) throw notFound("User not found");
    // Between blocker and blocked the list is empty, both ways (social.md's table). A caller in
    // no block or mute at all (remembered per process, safety/reader-filter.ts) needs no query.
    const blocked = found.userId !== caller && await safetyReaders(ctx).needsFilter(caller, since) && await blockBetween(ctx.db, caller, found.userId);
    return sendPostPage(reply, toPostPage(blocked ? [] : found.posts, checkList(asked, userPostsList(found.userId))));
  });
}
