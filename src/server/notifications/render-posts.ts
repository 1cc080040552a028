// The Post inside a notification or a stream `post` event. One name on purpose: when the
// social routes' hydration function lands, the lead points this at it and nothing else moves.
import { sql } from "kysely";
import { postColumns, toPost, type Db, type PostRow, type SocialPost } from "../social/common.js";

/** A viewer who likes and reposts nothing: the stream's posts carry no per-reader flags. */
export const NO_VIEWER = "00000000-0000-0000-0000-000000000000";

/** The posts that still exist among `postIds`, as `viewerId` sees them, by id. */
export async function renderPostsFor(db: Db, viewerId: string, postIds: readonly string[]): Promise<Map<string, SocialPost>> {
  const ids = [...new Set(postIds)];
  if (ids.length === 0) return new Map();
  const result = await sql<PostRow>`SELECT ${postColumns(viewerId)}
    FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ANY(${ids}::uuid[])`.execute(db);
  return new Map(result.rows.map((row) => [row.id, toPost(row)]));
}
