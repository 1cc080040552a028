// The one place v1-shaped posts (the global timeline, a user's posts) get what social.md adds:
// counts, reply_to_id/_user, mentions and tags (the same for every reader) and the reader's
// liked/reposted flags. Lists built by the social queries (home, thread, tag) select the same
// fields in their own statement (common.ts postColumns); this is for the v1 lists, whose
// statements stay as they were (prepared, cached) and are hydrated by id in one more query.
import { sql } from "kysely";
import type { FullPost, PostSocialFields, UserRef, V1Post } from "../../api/index.js";
import type { Db } from "./common.js";

/** Everything social.md adds to a post except the reader's flags. */
export type SharedFields = Omit<PostSocialFields, "liked" | "reposted">;

interface SharedRow extends SharedFields {
  id: string;
}

// Mentions and tags are found only at an `@` or a `#` (api/entities.ts parseEntities), so a
// post whose content has neither has none, and most posts skip both lookups.
/** A post's mentions as JSON, `p` being the post; null when it has none. */
export const mentionsOrNull = sql`CASE WHEN strpos(p.content, '@') > 0 THEN (SELECT json_agg(json_build_object('id', mu.id, 'username', mu.username) ORDER BY m.position)
     FROM post_mentions m JOIN users mu ON mu.id = m.user_id WHERE m.post_id = p.id) END`;
/** A post's tags as JSON, `p` being the post; null when it has none. */
export const tagsOrNull = sql`CASE WHEN strpos(p.content, '#') > 0 THEN (SELECT json_agg(t.tag ORDER BY t.position)
     FROM post_tags t WHERE t.post_id = p.id) END`;

const sharedColumns = sql`p.id, p.reply_to_id, p.reply_count, p.like_count, p.repost_count,
  (SELECT json_build_object('id', pu.id, 'username', pu.username)
     FROM posts pp JOIN users pu ON pu.id = pp.author_id WHERE pp.id = p.reply_to_id) AS reply_to_user,
  COALESCE(${mentionsOrNull}, '[]'::json) AS mentions, COALESCE(${tagsOrNull}, '[]'::json) AS tags`;

function shared(row: SharedRow): SharedFields {
  return {
    reply_to_id: row.reply_to_id,
    reply_to_user: row.reply_to_user as UserRef | null,
    reply_count: Number(row.reply_count),
    like_count: Number(row.like_count),
    repost_count: Number(row.repost_count),
    mentions: row.mentions,
    tags: row.tags,
  };
}

/** Attaches fields in the contract's order after the v1 ones; posts deleted meanwhile are left out. */
function attach<P extends V1Post>(posts: P[], fields: Map<string, SharedFields>, flags: (id: string) => { liked: boolean; reposted: boolean }): Array<P & PostSocialFields> {
  const out: Array<P & PostSocialFields> = [];
  for (const post of posts) {
    const f = fields.get(post.id);
    if (f === undefined) continue;
    const { liked, reposted } = flags(post.id);
    out.push({
      ...post, reply_to_id: f.reply_to_id, reply_to_user: f.reply_to_user, reply_count: f.reply_count, like_count: f.like_count,
      repost_count: f.repost_count, liked, reposted, mentions: f.mentions, tags: f.tags,
    });
  }
  return out;
}

/** The shared fields of these posts, by id (one statement, by primary key). */
export async function sharedFields(db: Db, ids: string[]): Promise<Map<string, SharedFields>> {
  if (ids.length === 0) return new Map();
  const result = await sql<SharedRow>`SELECT ${sharedColumns} FROM posts p WHERE p.id = ANY(${ids}::uuid[])`.execute(db);
  return new Map(result.rows.map((row) => [row.id, shared(row)]));
}

/** Which of these posts `reader` liked and reposted: one statement over the two primary keys. */
export async function readerFlags(db: Db, reader: string, ids: string[]): Promise<{ liked: Set<string>; reposted: Set<string> }> {
  const liked = new Set<string>();
  const reposted = new Set<string>();
  if (ids.length === 0) return { liked, reposted };
  // The text starts with SELECT so the driver prepares it once (pg-dialect.ts PREPARABLE).
  const result = await sql<{ post_id: string; kind: number }>`SELECT post_id, 1 AS kind FROM likes WHERE user_id = ${reader}::uuid AND post_id = ANY(${ids}::uuid[])
    UNION ALL
    SELECT post_id, 2 AS kind FROM reposts WHERE user_id = ${reader}::uuid AND post_id = ANY(${ids}::uuid[])`.execute(db);
  for (const row of result.rows) (Number(row.kind) === 1 ? liked : reposted).add(row.post_id);
  return { liked, reposted };
}

/** v1 posts with every field social.md adds, as `reader` sees them (one statement). */
export async function hydratePosts<P extends V1Post>(db: Db, reader: string, posts: P[]): Promise<Array<P & PostSocialFields>> {
  if (posts.length === 0) return [];
  const ids = posts.map((p) => p.id);
  const result = await sql<SharedRow & { liked: boolean; reposted: boolean }>`SELECT ${sharedColumns},
      EXISTS (SELECT 1 FROM likes l WHERE l.user_id = ${reader}::uuid AND l.post_id = p.id) AS liked,
      EXISTS (SELECT 1 FROM reposts r WHERE r.user_id = ${reader}::uuid AND r.post_id = p.id) AS reposted
    FROM posts p WHERE p.id = ANY(${ids}::uuid[])`.execute(db);
  const flags = new Map(result.rows.map((row) => [row.id, { liked: row.liked, reposted: row.reposted }]));
  const fields = new Map(result.rows.map((row) => [row.id, shared(row)]));
  return attach(posts, fields, (id) => flags.get(id)!);
}

/** Posts with the shared fields and both flags false: what the cached first page renders once. */
export async function hydrateShared<P extends V1Post>(db: Db, posts: P[]): Promise<Array<P & PostSocialFields>> {
  const fields = await sharedFields(db, posts.map((p) => p.id));
  return attach(posts, fields, () => ({ liked: false, reposted: false }));
}

export type { FullPost };
