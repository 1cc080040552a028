// The PostgreSQL contrib extensions search needs, as PGlite loads them: pass these in the
// PGlite constructor's `extensions` option (database.ts, openEmbedded). PostgreSQL ships them
// in its contrib package; the search migration runs CREATE EXTENSION on both.
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";

/**
 * pg_trgm: trigram indexes for users search ("contains"); unaccent: accent folding in the
 * text search configuration and in users search. Each is a small bundle (~15 kB) unpacked
 * into PGlite's file system when the database opens.
 */
export const searchExtensions = { pg_trgm, unaccent };
