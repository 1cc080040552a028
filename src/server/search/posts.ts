// Post search (social.md, "Search"): a parsed query (api/search-query.ts) run as one keyset-
// paged statement, newest first. Every piece of user text reaches the database as a bound
// parameter of phraseto_tsquery, which never fails on its input: no query can cause a
// tsquery syntax error, whatever the user typed.
import { Kysely, sql, type QueryExecutorProvider, type RawBuilder } from "kysely";
import { PAGE_LIMIT_MAX } from "../../api/index.js";
import type { SearchQuery } from "../../api/search-query.js";
import { isoTimestamp } from "../db/sql.js";
import { SEARCH_CONFIG } from "./index-post.js";

/** Where a page starts (exclusive): the last hit's microsecond UTC timestamp and id. */
export interface PageKey {
  createdAt: string;
  id: string;
}

export interface SearchHit {
  id: string;
  /** isoTimestamp's format: the page key of the next page, with `id`. */
  createdAt: string;
}

export interface SearchOptions {
  /**
   * A condition on the author (say, the block and mute filter of social/common.ts's visibleTo),
   * applied before the page is cut, so pages stay full.
   */
  authorFilter?: (authorId: RawBuilder<unknown>) => RawBuilder<boolean>;
  /**
   * The query's from: users, looked up beforehand (fromAuthors; searchPosts does it for a
   * search with words). Bound as values, their ids let the planner see whose posts it walks (a
   * busy author's 60,000 or a typical one's handful); without them the ids are a subquery,
   * planned for an average author.
   */
  fromAuthors?: FromAuthors;
}

/** The users from: names (usernames naming no one are left out) and how many posts they wrote in all. */
export interface FromAuthors {
  ids: string[];
  posts: number;
}

/**
 * Authors with at most this many posts in all are searched by reading their documents newest
 * first (4 ms at most, measured at 4,933 and 5,219 posts). Left to itself, the planner would AND
 * a common word's whole GIN list (25,000 entries: 7–16 ms at 1,000,000 posts) with a typical
 * author's two documents, the GIN list's cost being underestimated next to heap reads.
 */
const FEW_POSTS = 5_000;

export async function fromAuthors(db: QueryExecutorProvider, query: SearchQuery): Promise<FromAuthors> {
  if (query.from.length === 0) return { ids: [], posts: 0 };
  const rows = await sql<{ id: string; posts: number }>`SELECT u.id, u.posts_count::int AS posts FROM users u
    WHERE u.username IN (${sql.join(query.from.map((name) => sql`${name}::text`))})`.execute(db);
  return { ids: rows.rows.map((row) => row.id), posts: rows.rows.reduce((sum, row) => sum + row.posts, 0) };
}

/** A word sequence as a tsquery: one word, or words in a row (`<->`). */
function phrase(words: string[]): RawBuilder<unknown> {
  return sql`phraseto_tsquery(${sql.lit(SEARCH_CONFIG)}::regconfig, ${words.join(" ")}::text)`;
}

function all(parts: RawBuilder<unknown>[], op: "&&" | "||"): RawBuilder<unknown> {
  return sql`(${sql.join(parts, sql.raw(` ${op} `))})`;
}

/**
 * The authors' ids as a value computed once before the walk (an InitPlan), so the planner can
 * walk one author's posts (posts_author_created_at_id_idx, post_search_author_created_at_idx)
 * rather than filter everyone's.
 */
function authorIds(list: string[], ids: string[] | undefined): RawBuilder<unknown> {
  if (ids !== undefined) {
    // No one: a condition nothing meets (an empty ANY), so the statement keeps its shape.
    return ids.length === 1 ? sql`${ids[0]!}::uuid` : sql`ANY (${`{${ids.join(",")}}`}::uuid[])`;
  }
  const named = sql.join(list.map((name) => sql`${name}::text`));
  return list.length === 1
    ? sql`(SELECT u.id FROM users u WHERE u.username = ${list[0]!}::text)`
    : sql`ANY (ARRAY(SELECT u.id FROM users u WHERE u.username IN (${named})))`;
}

/**
 * The statement behind searchPosts, for a caller that wants to join the hits to its own post
 * columns in the same statement: rows `id`, `created_at` (isoTimestamp), newest first,
 * limit+1 of them.
 *
 * The table that drives the walk is the most selective one the query names: the words' GIN
 * index or the authors' documents (post_search), else the first tag's (tag, created_at,
 * post_id) index, else the authors' posts; each keeps created_at, so the page is cut on that
 * table's own index.
 */
export function searchPostsStatement(query: SearchQuery, after: PageKey | undefined, limit: number,
  options: SearchOptions = {}): RawBuilder<{ id: string; created_at: string }> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) throw new RangeError(`page size ${limit}`);
  const terms = [...query.words.map((w) => [w]), ...query.phrases];
  const conditions: RawBuilder<unknown>[] = [];
  let from: RawBuilder<unknown>;
  let at: string;
  let id: string;
  // The post's id and author as the driving table holds them: a words search reads
  // post_search alone (its author is a copy of the post's, migration 0042), with no lookup
  // of each row in posts.
  let postId: string;
  let authorId: string;
  let tags = query.tags;
  const authors = options.fromAuthors;
  if (terms.length > 0 && authors !== undefined && authors.posts <= FEW_POSTS) {
    // The authors' documents newest first (read and sorted, or walked on their index), tested
    // in that order until the page is full. OFFSET 0 keeps the subquery apart, so the planner
    // cannot merge it into a plan that reads the words' GIN list instead. At 1,000,000 posts,
    // an author of 4,933: 2.5 ms (a common word) to 4.1 ms (a word they never wrote).
    from = sql`(SELECT * FROM post_search ps WHERE ps.author_id = ${authorIds(query.from, authors.ids)}
      ORDER BY ps.created_at DESC, ps.post_id DESC OFFSET 0) s`;
    [at, id, postId, authorId] = ["s.created_at", "s.post_id", "s.post_id", "s.author_id"];
    conditions.push(sql`s.document @@ ${all(terms.map(phrase), "&&")}`);
    if (query.excludes.length > 0) conditions.push(sql`NOT (s.document @@ ${all(query.excludes.map(phrase), "||")})`);
  } else if (terms.length > 0) {
    from = sql`post_search s`;
    [at, id, postId, authorId] = ["s.created_at", "s.post_id", "s.post_id", "s.author_id"];
    conditions.push(sql`s.document @@ ${all(terms.map(phrase), "&&")}`);
    if (query.excludes.length > 0) conditions.push(sql`NOT (s.document @@ ${all(query.excludes.map(phrase), "||")})`);
  } else if (tags.length > 0) {
    from = sql`post_tags t JOIN posts p ON p.id = t.post_id`;
    [at, id, postId, authorId] = ["t.created_at", "t.post_id", "p.id", "p.author_id"];
    conditions.push(sql`t.tag = ${tags[0]!}::text`);
    tags = tags.slice(1);
  } else if (query.from.length > 0) {
    from = sql`posts p`;
    [at, id, postId, authorId] = ["p.created_at", "p.id", "p.id", "p.author_id"];
  } else {
    throw new RangeError("a search needs a word, a phrase, a tag or an author (parseSearchQuery refuses others)");
  }
  if (terms.length === 0 && query.excludes.length > 0) {
    conditions.push(sql`NOT EXISTS (SELECT 1 FROM post_search sx WHERE sx.post_id = ${sql.ref(postId)}
      AND sx.document @@ ${all(query.excludes.map(phrase), "||")})`);
  }
  for (const tag of tags) {
    conditions.push(sql`EXISTS (SELECT 1 FROM post_tags tt WHERE tt.post_id = ${sql.ref(postId)} AND tt.tag = ${tag}::text)`);
  }
  for (const tag of query.excludeTags) {
    conditions.push(sql`NOT EXISTS (SELECT 1 FROM post_tags tx WHERE tx.post_id = ${sql.ref(postId)} AND tx.tag = ${tag}::text)`);
  }
  if (query.from.length > 0) {
    conditions.push(sql`${sql.ref(authorId)} = ${authorIds(query.from, authors?.ids)}`);
    // A words search stays on post_search: the planner may walk the author's documents newest
    // first on post_search_author_created_at_idx, testing each against the words, and stop at
    // the page's end (a busy author and a common word); or AND that index's bitmap with the
    // words' GIN list (a word the author seldom uses); or take the GIN list alone (a rare word).
    // A tag search is ordered by the post's own columns (the same values): the planner may
    // then walk the author's posts newest first, or take the tag's index (a rare tag).
    if (terms.length === 0) [at, id] = ["p.created_at", "p.id"];
  }
  if (query.notFrom.length > 0) {
    conditions.push(sql`${sql.ref(authorId)} <> ALL (ARRAY(SELECT u.id FROM users u
      WHERE u.username IN (${sql.join(query.notFrom.map((name) => sql`${name}::text`))})))`);
  }
  if (options.authorFilter) {
    // As IS NOT NULL of a CASE: the planner's default for IS NOT NULL (0.995) rather than a half
    // for each NOT EXISTS inside (an eighth in all), which made a common word's matches look
    // 8 times rarer than they are: it sorted all 12,891 matches of `ba gi` at 1,000,000 posts
    // (66 ms) rather than walk the newest (6 ms). Nearly every author is visible to a reader.
    conditions.push(sql`(CASE WHEN ${options.authorFilter(sql.ref(authorId))} THEN 1 END) IS NOT NULL`);
  }
  if (after) {
    conditions.push(sql`(${sql.ref(at)}, ${sql.ref(id)}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  }
  // The leading comment keeps pg-dialect.ts from naming (preparing) the statement: its text
  // varies with the query's shape, which would use up the dialect's bounded set of names, and
  // a generic plan would not know whether a word is rare (GIN index) or common (walk by date).
  return sql<{ id: string; created_at: string }>`/* search */ SELECT ${sql.ref(id)} AS id, ${isoTimestamp(at)} AS created_at
    FROM ${from} WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY ${sql.ref(at)} DESC, ${sql.ref(id)} DESC LIMIT ${sql.lit(limit + 1)}`;
}

/** One page of post search hits, newest first, limit+1 of them (so has_more is exact). */
export async function searchPosts(db: QueryExecutorProvider, query: SearchQuery, after: PageKey | undefined, limit: number,
  options: SearchOptions = {}): Promise<SearchHit[]> {
  // Looked up first only with words: a from: alone, or with tags, walks posts on the author's
  // own index whoever the author is, and the lookup would cost a round trip.
  const withWords = query.words.length > 0 || query.phrases.length > 0;
  const authors = options.fromAuthors ?? (query.from.length > 0 && withWords ? await fromAuthors(db, query) : undefined);
  // from: naming no existing user: nothing to find.
  if (authors !== undefined && authors.ids.length === 0) return [];
  const statement = searchPostsStatement(query, after, limit, { ...options, fromAuthors: authors });
  const run = async (on: QueryExecutorProvider) => (await statement.execute(on)).rows;
  // No parallel workers for this statement: a common word's bitmap scan of a few thousand
  // rows got a parallel plan whose worker took 90 ms to start for 4 ms of work (measured in
  // docs/search.md). SET LOCAL needs a transaction; a caller's own transaction is left as is.
  const rows = db instanceof Kysely && !db.isTransaction
    ? await (db as Kysely<unknown>).transaction().execute(async (tx) => {
      await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(tx);
      return run(tx);
    })
    : await run(db);
  return rows.map((row) => ({ id: row.id, createdAt: row.created_at }));
}
