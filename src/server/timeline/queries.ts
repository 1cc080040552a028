import { sql, type Kysely } from "kysely";
import { PAGE_LIMIT_MAX, type Post } from "../../api/index.js";
import { paginateV1, timeIdKeyset, v1Shape, v1Values, type V1Shape, type V1Start, type V1Values } from "../db/pagination.js";
import { reusableQuery } from "../db/reusable-query.js";
import type { Database } from "../db/schema.js";
import { selectPostsWithAuthor, withAuthor } from "../posts/queries.js";
import { hydrateShared } from "../social/hydrate.js";

type Db = Kysely<Database>;

/** The global timeline's list identity, bound into its cursors. */
export const TIMELINE_LIST = "timeline";

const timelineKeyset = timeIdKeyset("posts.created_at", "posts.id");

const timelineQuery = reusableQuery(
  (s: { start: V1Shape; limit: number }) => `${s.start}:${s.limit}`,
  (db: Db, s, v: V1Values) => paginateV1(selectPostsWithAuthor(db), timelineKeyset, s.start, v).limit(sql.lit(s.limit + 1)),
);

/**
 * One page of the global timeline, newest first: limit+1 rows so has_more is exact. The page
 * size is a literal in the statement, not a parameter: PostgreSQL's generic plan for an unknown
 * LIMIT lost to a custom one, so every deep page was planned again (docs/design-notes.md).
 */
export async function timelinePage(db: Db, start: V1Start | undefined, limit: number): Promise<Post[]> {
  // Bounded: each page size is its own statement (and cached shape).
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) throw new RangeError(`page size ${limit}`);
  const rows = await timelineQuery.execute(db, { start: v1Shape(start), limit }, v1Values(start));
  return rows.map(withAuthor);
}

/** Reads of a page whose post was deleted between its two statements, before giving up. */
const HYDRATE_ATTEMPTS = 5;

/**
 * timelinePage with the shared social fields, for the shared page caches. Hydrating leaves out
 * a post deleted between the page's statement and its own; the page is then read again, since
 * a page one row short of limit+1 would say has_more false and end a reader's paging early.
 */
export async function hydratedTimelinePage(db: Db, start: V1Start | undefined, limit: number): Promise<Post[]> {
  for (let attempt = 1; ; attempt++) {
    const rows = await timelinePage(db, start, limit);
    const posts = await hydrateShared(db, rows);
    if (posts.length === rows.length || attempt === HYDRATE_ATTEMPTS) return posts;
  }
}
