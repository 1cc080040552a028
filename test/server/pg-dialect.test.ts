// The pg dialect's statement naming, seen from PostgreSQL's side (pg_prepared_statements of the
// one connection a pool of one holds). PostgreSQL only: PGlite has its own dialect.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openPostgres } from "../../src/server/db/database.js";
import { createTestDatabase } from "../support/server-process.js";

const url = process.env.NIOTEBOOK_TEST_DB_URL;

describe.skipIf(!url)("the pg dialect", () => {
  it("prepares each statement once per connection, and names at most 500 distinct texts", async () => {
    const database = await createTestDatabase(url!);
    const handle = openPostgres({ url: database.url, poolSize: 1 });
    const prepared = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(handle.db)).rows[0]!.n;
    try {
      await sql`SELECT 1 AS one`.execute(handle.db);
      const afterFirst = await prepared();
      expect(afterFirst).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) await sql`SELECT 1 AS one`.execute(handle.db);
      expect(await prepared()).toBe(afterFirst);

      // Text that varies (a surprise: say, built from input) is still answered, unnamed past the bound.
      for (let i = 0; i < 600; i++) {
        const { rows } = await sql<{ n: number }>`SELECT ${sql.lit(i)}::int AS n`.execute(handle.db);
        expect(rows[0]!.n).toBe(i);
      }
      expect(await prepared()).toBeLessThanOrEqual(500);
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});
