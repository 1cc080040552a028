// The pg dialect's statement naming, seen from PostgreSQL's side (pg_prepared_statements of the
// one connection a pool of one holds). PostgreSQL only: PGlite has its own dialect.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, openPostgres } from "../../src/server/db/database.js";
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

  it("gives up on a statement past its deadline, and does not reuse that connection", async () => {
    const database = await createTestDatabase(url!);
    const handle = openPostgres({ url: database.url, poolSize: 1, statementTimeoutMs: 300 });
    const backend = async () => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(handle.db)).rows[0]!.pid;
    try {
      const before = await backend();
      const startedAt = performance.now();
      const error = await sql`SELECT pg_sleep(3)`.execute(handle.db).then(() => undefined, (e: unknown) => e);
      const waited = performance.now() - startedAt;
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(waited).toBeGreaterThanOrEqual(300);
      expect(waited).toBeLessThan(2_000);
      // The pool of one now opens a new connection rather than queueing behind the sleeping one.
      expect(await backend()).not.toBe(before);
      // Statements within the deadline are unaffected.
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db)).rows[0]!.one).toBe(1);
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});
