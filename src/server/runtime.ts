// Opens what a server process needs from its configuration: the data folder's lock and
// secret (embedded database), the database itself, migrated to the latest version.
import { sql } from "kysely";
import type { Config } from "./config.js";
import { openEmbedded, openPostgres, type DatabaseHandle } from "./db/database.js";
import { lockDataDir, loadOrCreateSecret, type DataDirLock } from "./db/data-dir.js";
import { migrateToLatest } from "./db/migrations.js";

export interface Runtime {
  database: DatabaseHandle;
  jwtSecret: string;
  lock: DataDirLock | null;
  /** The migrations this start applied (none when the schema was already current). */
  migrationsApplied: string[];
  /** Closes the database, then releases the data folder. */
  close(): Promise<void>;
}

/** `statementTimeoutMs`: PostgreSQL's statement deadline (5 s when serving; the seed's batches need longer on a busy machine). */
export async function openRuntime(config: Config, onPoolError?: (error: Error) => void, statementTimeoutMs?: number): Promise<Runtime> {
  let lock: DataDirLock | null = null;
  let database: DatabaseHandle;
  let migrationsApplied: string[];
  let jwtSecret: string;
  if (config.dbUrl) {
    migrationsApplied = await migratePostgres(config.dbUrl, onPoolError);
    database = openPostgres({ url: config.dbUrl, onPoolError, statementTimeoutMs });
    // One connection opened now, as the migrations' used to be, so the first request does not
    // pay for it; if it fails, the first request reports what is wrong.
    await sql`SELECT 1`.execute(database.db).catch(() => {});
    jwtSecret = config.jwtSecret!;
  } else {
    lock = lockDataDir(config.dataDir);
    try {
      jwtSecret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir);
      database = await openEmbedded(config.dataDir);
    } catch (error) {
      lock.release();
      throw error;
    }
    try {
      migrationsApplied = await migrateToLatest(database.db);
    } catch (error) {
      await database.close().catch(() => {});
      lock.release();
      throw error;
    }
  }
  return {
    database,
    jwtSecret,
    lock,
    migrationsApplied,
    async close() {
      try {
        await database.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * Migrations on PostgreSQL run on a connection of their own without the serving statement
 * deadline: one may index or rewrite a whole table, minutes on a big database (0042 fills a
 * column of post_search: over 5 s at 1,000,000 posts), and each is one transaction anyway.
 */
async function migratePostgres(url: string, onPoolError?: (error: Error) => void): Promise<string[]> {
  const migrating = openPostgres({ url, onPoolError, poolSize: 1, statementTimeoutMs: Number.POSITIVE_INFINITY });
  try {
    return await migrateToLatest(migrating.db);
  } finally {
    await migrating.close();
  }
}
