// GET /api/v1/search/posts and /search/users (social.md, "Search"), with the block and mute
// filters of "Blocks, mutes and reports": blocks hide both ways; mutes hide posts (for the
// muter) but not users.
import { SearchPostPage, SearchPostsQuery, SearchUsersQuery, UsersResponse } from "../../api/index.js";
import { parseSearchQuery } from "../../api/search-query.js";
import type { AppContext } from "../context.js";
import { parsePageRequest, timeIdKeyset, toPage } from "../db/pagination.js";
import { ApiError, validation } from "../http/errors.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { visibleTo } from "../social/common.js";
import { searchPosts } from "./posts.js";
import { renderPosts } from "./render.js";
import { USER_SEARCH_LIMIT_DEFAULT, USER_SEARCH_LIMIT_MAX, searchUsers, userSearchText } from "./users.js";

const keyset = timeIdKeyset("p.created_at", "p.id");

/**
 * A search's list identity: the query as parsed (so `Rust` and ` rust ` page as one list),
 * bound into its cursors. JSON of the parse: every field is an array, in a fixed order.
 */
export const searchPostsList = (normalised: string): string => `search-posts:${normalised}`;

export function searchRoutes(app: App, ctx: AppContext): void {
  app.get("/posts", {
    schema: {
      tags: ["search"], summary: "Posts matching q, newest first",
      querystring: SearchPostsQuery, response: { 200: SearchPostPage, ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const viewer = request.caller!.userId;
    const parsed = parseSearchQuery(request.query.q ?? "");
    if (!parsed.ok) throw new ApiError(parsed.error.code, parsed.error.message, parsed.error.field);
    const asked = parsePageRequest(request.query, searchPostsList(JSON.stringify(parsed.query)), keyset);
    const hits = await searchPosts(ctx.db, parsed.query, asked.after, asked.limit, {
      authorFilter: (author) => visibleTo(viewer, author),
    });
    const page = toPage(hits, asked, keyset, (hit) => ({ createdAt: hit.createdAt, id: hit.id }));
    // A post deleted between the two statements is left out of this page (the cursor still holds).
    const posts = await renderPosts(ctx.db, viewer, page.items.map((hit) => hit.id));
    return { posts, next_cursor: page.next_cursor, has_more: page.has_more };
  });

  app.get("/users", {
    schema: {
      tags: ["search"], summary: "Users whose username or display name starts with or contains q",
      querystring: SearchUsersQuery, response: { 200: UsersResponse, ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const raw = request.query.limit;
    let limit = USER_SEARCH_LIMIT_DEFAULT;
    if (raw !== undefined && raw !== "") {
      limit = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!(limit >= 1 && limit <= USER_SEARCH_LIMIT_MAX)) throw validation("limit", `limit must be an integer from 1 to ${USER_SEARCH_LIMIT_MAX}`);
    }
    const text = userSearchText(request.query.q ?? "");
    if (!text.ok) throw new ApiError(text.error.code, text.error.message, text.error.field);
    const viewer = request.caller!.userId;
    const users = await searchUsers(ctx.db, text.text, limit, (id) => visibleTo(viewer, id, { mutes: false }));
    return { users };
  });
}
