// The search migration (social.md, "Search"), registered by the lead after the social tables
// as "0020_search". It needs only posts and users; post_tags is read by queries, not here.
/* eslint-disable @typescript-eslint/no-explicit-any -- because a migration takes Kysely<any> by Kysely's own convention: it must not depend on today's schema type (Kysely<unknown> does not accept a Kysely<Database>). */
import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { SEARCH_CONFIG, indexMissingPosts } from "./index-post.js";

// Every token type of the default parser but `blank`: all go through unaccent, then simple
// (lower-casing, no stop words, no stemming).
const TOKEN_TYPES = [
  "asciiword", "word", "numword", "asciihword", "hword", "numhword", "hword_asciipart", "hword_part",
  "hword_numpart", "email", "protocol", "url", "host", "url_path", "file", "sfloat", "float", "int",
  "uint", "version", "tag", "entity",
];

const search: Migration = {
  async up(db: Kysely<any>) {
    // Both are trusted extensions (PostgreSQL 13+): the database's owner may create them
    // without being a superuser. IF NOT EXISTS: an operator may have created them already,
    // possibly in another schema, hence the lookup below.
    await sql`CREATE EXTENSION IF NOT EXISTS unaccent`.execute(db);
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    const schemaOf = async (extension: string) => (await sql<{ schema: string }>`SELECT n.nspname AS schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = ${extension}`.execute(db)).rows[0]!.schema;
    const schema = await schemaOf("unaccent");
    const unaccentDict = sql.id(schema, "unaccent");
    const trigramOps = sql.id(await schemaOf("pg_trgm"), "gin_trgm_ops");

    // 'simple' + unaccent, not a language's stemmer: posts are in any language, and the
    // contract promises whole words; stemming English would make "news" find "new".
    await sql`CREATE TEXT SEARCH CONFIGURATION ${sql.id(SEARCH_CONFIG)} (COPY = pg_catalog.simple)`.execute(db);
    await sql`ALTER TEXT SEARCH CONFIGURATION ${sql.id(SEARCH_CONFIG)}
      ALTER MAPPING FOR ${sql.raw(TOKEN_TYPES.join(", "))} WITH ${unaccentDict}, pg_catalog.simple`.execute(db);

    // Lower case without accents, for users search. unaccent() is only STABLE (its rules file
    // could change); declared IMMUTABLE here so indexes can use it, with the dictionary named
    // in full so that no search_path changes what it does.
    await sql`CREATE FUNCTION niotebook_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $fold$ SELECT pg_catalog.lower(${sql.raw(quoteIdent(schema))}.unaccent(${sql.raw(`'${quoteIdent(schema)}.unaccent'`)}::regdictionary, $1)) $fold$`
      .execute(db);

    // One row per post: its words as the application split them (searchWords), so Chinese
    // or Japanese text is searchable word by word. created_at copies the post's, so a search
    // pages on this table's own (created_at, post_id) index without touching posts.
    await sql`
      CREATE TABLE post_search (
        post_id uuid PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        document tsvector NOT NULL
      )`.execute(db);
    // Backfilled before the indexes exist: building them once is faster than growing them.
    await indexMissingPosts(db);
    // fastupdate off: each post's entries go straight into the index rather than a pending
    // list that every search reads through until VACUUM merges it (and PGlite has no autovacuum).
    await sql`CREATE INDEX post_search_document_idx ON post_search USING gin (document) WITH (fastupdate = off)`.execute(db);
    await sql`CREATE INDEX post_search_created_at_idx ON post_search (created_at DESC, post_id DESC)`.execute(db);

    // Users search: "contains" on usernames and folded display names.
    await sql`CREATE INDEX users_username_trgm_idx ON users USING gin (username ${trigramOps}) WITH (fastupdate = off)`.execute(db);
    await sql`CREATE INDEX users_display_name_trgm_idx ON users USING gin (niotebook_fold(display_name) ${trigramOps}) WITH (fastupdate = off)`.execute(db);
  },
};

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// Measured by bench/search.ts (docs/search.md): at 100,000 users a three-letter prefix
// matching 4% of them sorted every match, and the suspended-author check of visibleTo read
// users whole to hash the suspended ones. Upgrades in place: indexes only.
const searchSpeed: Migration = {
  async up(db: Kysely<any>) {
    // Almost always empty: the suspended check becomes a probe of a tiny index.
    await sql`CREATE INDEX IF NOT EXISTS users_suspended_idx ON users (id) WHERE suspended_at IS NOT NULL`.execute(db);
    // Byte order ("C"): serves both LIKE 'prefix%' and ORDER BY … COLLATE "C" LIMIT n, so a
    // prefix matching thousands of users reads only the first n of them.
    await sql`CREATE INDEX IF NOT EXISTS users_username_c_idx ON users ((username COLLATE "C"))`.execute(db);
    // The username too: many users share a display name, and the page is ordered by both.
    await sql`CREATE INDEX IF NOT EXISTS users_display_name_fold_c_idx ON users ((niotebook_fold(display_name) COLLATE "C"), (username COLLATE "C"))`.execute(db);
  },
};

// Measured by bench/search.ts (docs/search.md): a word and a busy author's from: walked the
// author's posts newest first and, for each, looked its post_search row up by id to test the
// word (20.8 ms at 1,000,000 posts). The author on post_search itself lets one index do both:
// walk the author's documents newest first, or intersect them with the word's GIN list.
const searchByAuthor: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE post_search ADD COLUMN author_id uuid`.execute(db);
    // Filled by the database from the post, whoever writes the row (indexPostForSearch,
    // indexMissingPosts): a post's author never changes. Rows written before: the UPDATE below.
    await sql`
      CREATE FUNCTION post_search_author() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.author_id := (SELECT p.author_id FROM posts p WHERE p.id = NEW.post_id);
        RETURN NEW;
      END $$`.execute(db);
    await sql`CREATE TRIGGER post_search_author BEFORE INSERT ON post_search FOR EACH ROW EXECUTE FUNCTION post_search_author()`.execute(db);
    await sql`UPDATE post_search s SET author_id = p.author_id FROM posts p WHERE p.id = s.post_id`.execute(db);
    await sql`ALTER TABLE post_search ALTER COLUMN author_id SET NOT NULL`.execute(db);
    await sql`CREATE INDEX post_search_author_created_at_idx ON post_search (author_id, created_at DESC, post_id DESC)`.execute(db);
  },
};

export const searchMigrations: Record<string, Migration> = {
  "0020_search": search,
};

/** Listed after the accounts migration (0030, which adds suspended_at): migrations run in name order. */
export const searchSpeedMigrations: Record<string, Migration> = {
  "0031_search_speed": searchSpeed,
};

/** After 0040_reader_flags_version: migrations run in name order. */
export const searchByAuthorMigrations: Record<string, Migration> = {
  "0042_search_by_author": searchByAuthor,
};
