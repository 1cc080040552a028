// Posts as a list shows them, from their ids, in the ids' order. For now the social post of
// social/common.ts (counts and the viewer's flags); the lead points it at the shared Post
// hydration when that lands.
import { sql } from "kysely";
import { postColumns, toPost, type Db, type PostRow, type SocialPost } from "../social/common.js";

/** The posts with these ids as `viewerId` sees them, in the order given; ids of deleted posts are left out. */
export async function renderPosts(db: Db, viewerId: string, ids: string[]): Promise<SocialPost[]> {
  if (ids.length === 0) return [];
  const result = await sql<PostRow>`SELECT ${postColumns(viewerId)}
    FROM posts p JOIN users u ON u.id = p.author_id
    WHERE u.suspended_at IS NULL AND p.id IN (${sql.join(ids.map((id) => sql`${id}::uuid`))})`.execute(db);
  const byId = new Map(result.rows.map((row) => [row.id, toPost(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
