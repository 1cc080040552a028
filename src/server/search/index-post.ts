// Writing the search index: one post_search row per post, its document made from the words
// searchWords() finds (the same splitter the query parser uses), folded by the database's
// niotebook_search configuration (unaccent, lower case).
import { sql, type QueryExecutorProvider, type RawBuilder } from "kysely";
import { searchWords } from "../../api/search-query.js";

/** The text search configuration every document and query goes through (see migrations.ts). */
export const SEARCH_CONFIG = "niotebook_search";

/** `to_tsvector` in the search configuration; `text` is bound, never spliced. */
export function tsvectorOf(text: string): RawBuilder<unknown> {
  return sql`to_tsvector(${sql.lit(SEARCH_CONFIG)}::regconfig, ${text}::text)`;
}

/** The text stored for a post: its words, one space apart (so phrases are positions in a row). */
export function documentText(content: string): string {
  return searchWords(content).join(" ");
}

/**
 * Indexes one post for search. Call it in the transaction that inserts the post (publishPost,
 * insertPost), after the INSERT: `await indexPostForSearch(tx, id, content)`. Indexing again
 * replaces the document.
 */
export async function indexPostForSearch(db: QueryExecutorProvider, postId: string, content: string): Promise<void> {
  await sql`INSERT INTO post_search (post_id, created_at, document)
    SELECT p.id, p.created_at, ${tsvectorOf(documentText(content))} FROM posts p WHERE p.id = ${postId}::uuid
    ON CONFLICT (post_id) DO UPDATE SET document = EXCLUDED.document`.execute(db);
}

/**
 * Indexes every post that has no post_search row (the migration's backfill; also a repair
 * for posts written by a path that skipped indexPostForSearch). Walks posts by id in batches,
 * so each batch costs an index range, whatever the table's size. Returns how many it indexed.
 */
export async function indexMissingPosts(db: QueryExecutorProvider, batchSize = 500): Promise<number> {
  let last = "00000000-0000-0000-0000-000000000000";
  let indexed = 0;
  for (;;) {
    const batch = await sql<{ id: string; content: string }>`SELECT p.id, p.content FROM posts p
      WHERE p.id > ${last}::uuid AND NOT EXISTS (SELECT 1 FROM post_search s WHERE s.post_id = p.id)
      ORDER BY p.id LIMIT ${sql.lit(batchSize)}`.execute(db);
    if (batch.rows.length === 0) return indexed;
    const values = sql.join(batch.rows.map((row) => sql`(${row.id}::uuid, ${documentText(row.content)}::text)`));
    const result = await sql`INSERT INTO post_search (post_id, created_at, document)
      SELECT p.id, p.created_at, to_tsvector(${sql.lit(SEARCH_CONFIG)}::regconfig, v.text)
      FROM (VALUES ${values}) AS v(id, text) JOIN posts p ON p.id = v.id
      ON CONFLICT (post_id) DO NOTHING`.execute(db);
    indexed += Number(result.numAffectedRows ?? 0n);
    last = batch.rows[batch.rows.length - 1]!.id;
  }
}
