// Publishing a post with what social.md adds: reply_to_id, its mentions and tags (parsed by
// the one parser the client also uses), and the Idempotency-Key of POST /posts.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { parseEntities } from "../../api/entities.js";
import { forbidden, notFound } from "../http/errors.js";
import { blockBetween, findSocialPost, type Db, type SocialPost } from "./common.js";
import { indexPostForSearch } from "../search/index-post.js";
import { pairLockKey } from "../safety/migrations.js";

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL = "24 hours";

/** The Idempotency-Key header's rule: 1–100 printable ASCII characters (as the table's CHECK). */
export function isIdempotencyKey(raw: string): boolean {
  return /^[\x20-\x7e]{1,100}$/.test(raw);
}

export interface PublishInput {
  authorId: string;
  /** Already checked and normalised (normalizePostContent). */
  content: string;
  replyToId?: string | null;
  /** The Idempotency-Key header, already checked (1–100 printable ASCII). */
  idempotencyKey?: string;
  /** null for the database's now() (DatabaseHandle.newTimestamp). */
  at?: string | null;
}

export type PublishResult =
  /** 201: a new post. */
  | { created: true; post: SocialPost }
  /** 200: the key was used within 24 hours; the first request's post (undefined if since deleted). */
  | { created: false; post: SocialPost | undefined; postId: string }
  /** The author no longer exists. */
  | undefined;

/**
 * Stores a post, its mentions (users that exist now) and tags in one transaction. A reply to
 * a missing (or deleted) post is 404; one where a block stands between the authors 403.
 */
export async function publishPost(db: Db, input: PublishInput): Promise<PublishResult> {
  const { authorId, content } = input;
  const replyTo = input.replyToId ?? null;
  const id = randomUUID();
  const entities = parseEntities(content);
  return db.transaction().execute(async (tx) => {
    if (input.idempotencyKey !== undefined) {
      // Claims the key, or reclaims one older than 24 hours. A second request with the same
      // key waits here on the key's row until the first commits, then takes the other path.
      const claimed = await sql<{ post_id: string }>`INSERT INTO idempotency_keys (user_id, key, post_id)
        SELECT u.id, ${input.idempotencyKey}, ${id}::uuid FROM users u WHERE u.id = ${authorId}::uuid
        ON CONFLICT (user_id, key) DO UPDATE SET post_id = EXCLUDED.post_id, created_at = now()
          WHERE idempotency_keys.created_at < now() - ${IDEMPOTENCY_TTL}::interval
        RETURNING post_id`.execute(tx);
      if (claimed.rows.length === 0) {
        const first = await tx.selectFrom("idempotency_keys").select("post_id")
          .where("user_id", "=", authorId).where("key", "=", input.idempotencyKey).executeTakeFirst();
        if (!first) return undefined; // no such author
        return { created: false as const, post: await findSocialPost(tx, authorId, first.post_id), postId: first.post_id };
      }
    }
    if (replyTo !== null) {
      // FOR KEY SHARE: the parent cannot be deleted until this reply is committed.
      // The pair's lock too (block() holds it until it commits), before the block check: a
      // block either committed before the check, which sees it, or waits for this reply.
      const parent = await sql<{ author_id: string }>`SELECT author_id,
          CASE WHEN author_id <> ${authorId}::uuid THEN pg_advisory_xact_lock(${pairLockKey(authorId, sql`author_id`)}) END AS locked
        FROM posts WHERE id = ${replyTo}::uuid FOR KEY SHARE`.execute(tx);
      const parentAuthor = parent.rows[0]?.author_id;
      if (parentAuthor === undefined) throw notFound("The post you are replying to does not exist");
      if (parentAuthor !== authorId && await blockBetween(tx, authorId, parentAuthor)) {
        throw forbidden("A block stands between you and the author of that post");
      }
    }
    const inserted = await sql<{ created_at: string }>`INSERT INTO posts (id, author_id, content, reply_to_id, created_at)
      SELECT ${id}::uuid, u.id, ${content}, ${replyTo}::uuid, COALESCE(${input.at ?? null}::timestamptz, now())
      FROM users u WHERE u.id = ${authorId}::uuid
      RETURNING created_at`.execute(tx);
    if (inserted.rows.length === 0) return undefined;
    await indexPostForSearch(tx, id, content);
    if (entities.mentions.length > 0) {
      const names = sql.join(entities.mentions.map((name, i) => sql`(${name}::text, ${i}::smallint)`));
      await sql`INSERT INTO post_mentions (post_id, user_id, position, created_at)
        SELECT p.id, u.id, m.position, p.created_at
        FROM (VALUES ${names}) AS m(username, position) JOIN users u ON u.username = m.username, posts p
        WHERE p.id = ${id}::uuid`.execute(tx);
    }
    if (entities.tags.length > 0) {
      const tags = sql.join(entities.tags.map((tag, i) => sql`(${tag}::text, ${i}::smallint)`));
      await sql`INSERT INTO post_tags (post_id, tag, position, created_at)
        SELECT p.id, t.tag, t.position, p.created_at FROM (VALUES ${tags}) AS t(tag, position), posts p
        WHERE p.id = ${id}::uuid`.execute(tx);
    }
    // Read back in the same transaction: the answer is the post as stored.
    const post = await findSocialPost(tx, authorId, id);
    if (!post) throw new Error("a post vanished inside the transaction that made it");
    return { created: true as const, post };
  });
}

/** Forgets Idempotency-Keys older than 24 hours; returns how many. Run it now and then. */
export async function cleanupIdempotencyKeys(db: Db): Promise<number> {
  const result = await sql`DELETE FROM idempotency_keys WHERE created_at < now() - ${IDEMPOTENCY_TTL}::interval`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
