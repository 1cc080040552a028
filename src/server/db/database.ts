// Opens the configured database — PostgreSQL over `pg` (postgres.ts), or PGlite in the data
// folder (embedded.ts) — behind one DatabaseHandle (handle.ts).
export type { DatabaseHandle, Listener } from "./handle.js";
export { openEmbedded } from "./embedded.js";
export { openPostgres, type PostgresOptions } from "./postgres.js";
export { isDatabaseUnavailable, isOutOfStorage } from "./errors.js";
