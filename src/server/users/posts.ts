import { IdParams, PageQuery, PostPage } from "../../api/index.js";
import { authenticate } from "../auth/authenticate.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { bearer, errorResponses, sendPostPage } from "../http/responses.js";
import type { App } from "../http/types.js";
import { parseCursor, parseLimit, toPage } from "../paging.js";
import { userPostsPage } from "../posts/queries.js";
import { parseUserRef } from "./resolve.js";

export function userPostsRoute(app: App, ctx: AppContext): void {
  app.get("/api/v1/users/:id/posts", {
    onRequest: authenticate(ctx),
    schema: {
      tags: ["users"], summary: "A user's posts, newest first (without author)", security: bearer,
      params: IdParams, querystring: PageQuery, response: { 200: PostPage, ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const ref = parseUserRef(request.caller!, request.params.id);
    if (!ref) throw notFound("User not found");
    const limit = parseLimit(request.query.limit);
    const cursor = parseCursor(request.query.cursor);
    const posts = await userPostsPage(ctx.db, ref, cursor, limit);
    if (!posts) throw notFound("User not found");
    return sendPostPage(reply, toPage(posts, limit));
  });
}
