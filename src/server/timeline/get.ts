import { PageQuery, PostPage, type Post } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses, sendPostPage, sendSerialised } from "../http/responses.js";
import type { App } from "../http/types.js";
import { parseV1PageRequest, toPostPage, type PageRequest } from "../db/pagination.js";
import { hydratePosts } from "../social/hydrate.js";
import { ownFirstPage, readerTimelinePage, safetyReaders } from "../safety/reader-filter.js";
import { TIMELINE_LIST } from "./queries.js";

/**
 * The cached first page, rendered once for every reader with both flags false: the page's JSON
 * as the bytes most readers get, and each post's own JSON so a reader's liked/reposted posts
 * can be re-spliced without rendering the rest again.
 */
export interface SharedFirstPage {
  bytes: Buffer;
  ids: string[];
  /** The ids joined: what a reader's remembered flags are for (reader-flags.ts). */
  key: string;
  head: string;
  fragments: string[];
  tail: string;
}

// The rows were hydrated with liked:false, reposted:false (context.ts); the flags come after
// content, reply_to_user and the counts and before mentions and tags, which hold no quote, so
// the last occurrence in a post's JSON is the flags' own (a string value escapes its quotes).
const UNFLAGGED = '"liked":false,"reposted":false';

export function renderSharedFirstPage(rows: Post[], page: Pick<PageRequest, "list" | "limit">): SharedFirstPage {
  const { posts, next_cursor, has_more } = toPostPage(rows, page);
  const fragments = posts.map((post) => JSON.stringify(post));
  const head = '{"posts":[';
  const tail = `],"next_cursor":${JSON.stringify(next_cursor)},"has_more":${has_more}}`;
  const ids = posts.map((p) => p.id);
  return { bytes: Buffer.from(head + fragments.join(",") + tail), ids, key: ids.join(","), head, fragments, tail };
}

/**
 * A shared page with `reader`'s flags: the shared bytes when the reader flagged none of it.
 * `since`: when the request arrived (performance.now()), to share its version read.
 */
export async function firstPageFor(ctx: AppContext, reader: string, shared: SharedFirstPage, since?: number): Promise<Buffer | string> {
  const { liked, reposted } = await ctx.readerFlags.get(reader, shared.key, shared.ids, since);
  if (liked.size === 0 && reposted.size === 0) return shared.bytes;
  const fragments = shared.fragments.map((json, i) => {
    const id = shared.ids[i]!;
    if (!liked.has(id) && !reposted.has(id)) return json;
    const at = json.lastIndexOf(UNFLAGGED);
    return `${json.slice(0, at)}"liked":${liked.has(id)},"reposted":${reposted.has(id)}${json.slice(at + UNFLAGGED.length)}`;
  });
  return shared.head + fragments.join(",") + shared.tail;
}

export function timelineRoute(app: App, ctx: AppContext): void {
  app.get("", {
    schema: {
      tags: ["timeline"], summary: "Everyone's posts, newest first",
      querystring: PageQuery, response: { 200: PostPage, ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    // Every version this request compares (blocks and mutes, the page, the reader's flags)
    // comes from one read that started after this moment (timeline/versions.ts).
    const since = performance.now();
    const reader = request.caller!.userId;
    const page = parseV1PageRequest(request.query, TIMELINE_LIST);
    // A reader who blocks or mutes someone (or is blocked) gets a page of their own; everyone
    // else keeps the shared first page below.
    if (!page.after && !page.before && await safetyReaders(ctx).needsFilter(reader, since)) {
      // Cut from the cached rows when they are enough, flags patched in as for everyone (the
      // flags cache keys on the page's ids, so a reader's own cut has its own entry).
      const own = await ownFirstPage(ctx, reader, page.limit, (rows) => renderSharedFirstPage(rows, page), since);
      if (own) return sendSerialised(reply, await firstPageFor(ctx, reader, own.page, since));
    }
    const filtered = await readerTimelinePage(ctx, reader, page, page.limit, since);
    if (filtered) {
      const found = toPostPage(filtered, page);
      return sendPostPage(reply, { ...found, posts: await hydratePosts(ctx.db, reader, found.posts) });
    }
    if (page.after || page.before) {
      // Shared like the first page: the same cursor is the same page for every such reader.
      const shared = await ctx.timelinePages.rendered(page, page.limit, (rows) => renderSharedFirstPage(rows, page), since);
      return sendSerialised(reply, await firstPageFor(ctx, reader, shared, since));
    }
    // The first page is the same for everyone but the reader's flags: cached, rendered once,
    // and patched for the posts this reader liked or reposted (counts may lag by a second).
    const shared = await ctx.firstPage.newestRendered(page.limit, (rows) => renderSharedFirstPage(rows, page), since);
    return sendSerialised(reply, await firstPageFor(ctx, reader, shared, since));
  });
}
