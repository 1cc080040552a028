// The health probe: `select 1` within a deadline, never waiting behind the main pool.
import { sql, type QueryExecutorProvider } from "kysely";
import pg from "pg";
import { pgTypes } from "./timestamps.js";
import { withTimeout } from "./timeout.js";

/** On a connection of its own, so a busy pool cannot make the server look dead. */
export async function pingPostgres(url: string, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, types: pgTypes });
  client.on("error", () => {});
  try {
    await withTimeout(client.connect().then(() => client.query("select 1")), timeoutMs);
    return true;
  } catch {
    return false;
  } finally {
    void client.end().catch(() => {});
  }
}

/** Through the handle's own Kysely (PGlite is one session: there is no other connection). */
export async function pingKysely(db: QueryExecutorProvider, timeoutMs: number): Promise<boolean> {
  try {
    await withTimeout(sql`select 1`.execute(db), timeoutMs);
    return true;
  } catch {
    return false;
  }
}
