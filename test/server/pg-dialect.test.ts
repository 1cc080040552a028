// The pg dialect's statement naming, seen from PostgreSQL's side (pg_prepared_statements of the
// one connection a pool of one holds). PostgreSQL only: PGlite has its own dialect.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { isDatabaseUnavailable, openPostgres } from "../../src/server/db/database.js";
import { WriteOutcomeUnknown } from "../../src/server/db/pg-dialect.js";
import { toApiError } from "../../src/server/http/error-handler.js";
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

  it("says a write that went unanswered may have happened — and it may: PostgreSQL runs it later", async () => {
    const database = await createTestDatabase(url!);
    const handle = openPostgres({ url: database.url, poolSize: 1, statementTimeoutMs: 300 });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await sql`CREATE TABLE ghosts (n int)`.execute(handle.db);
      // Hold the table, so the insert waits inside PostgreSQL past the client's deadline.
      await admin.query("BEGIN; LOCK TABLE ghosts IN ACCESS EXCLUSIVE MODE");
      const error = await sql`INSERT INTO ghosts VALUES (1)`.execute(handle.db).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(WriteOutcomeUnknown);
      expect(toApiError(error)).toMatchObject({ code: "unavailable", status: 503, message: expect.stringContaining("may have been saved") });
      // A read that times out, and a statement of a transaction before its COMMIT, are plain failures.
      const read = await sql`SELECT count(*) FROM ghosts`.execute(handle.db).then(() => undefined, (e: unknown) => e);
      expect(read).not.toBeInstanceOf(WriteOutcomeUnknown);
      expect(isDatabaseUnavailable(read)).toBe(true);
      const inTransaction = await handle.db.transaction().execute((tx) => sql`INSERT INTO ghosts VALUES (2)`.execute(tx))
        .then(() => undefined, (e: unknown) => e);
      expect(inTransaction).not.toBeInstanceOf(WriteOutcomeUnknown);
      await admin.query("COMMIT");
      // The abandoned autocommit insert did happen; the one inside the transaction did not.
      let rows: number[] = [];
      for (let i = 0; i < 50 && rows.length === 0; i++) {
        rows = (await admin.query<{ n: number }>("SELECT n FROM ghosts")).rows.map((r) => r.n);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(rows).toEqual([1]);
    } finally {
      await admin.end();
      await handle.close();
      await database.drop();
    }
  });
});
