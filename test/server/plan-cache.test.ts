// The page statements must let PostgreSQL keep one generic plan per connection. With the page
// size sent as a parameter (LIMIT $n), the planner priced a generic plan for an unknown limit at
// 10% of the table, always preferred a custom plan, and so planned the deep page again on every
// request (measured: ~100 µs more PostgreSQL CPU per page). PostgreSQL only, seen from
// pg_prepared_statements of the one connection a pool of one holds.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, type DatabaseHandle } from "../../src/server/db/database.js";
import { migrateToLatest } from "../../src/server/db/migrations.js";
import { userPostsPage } from "../../src/server/posts/queries.js";
import { timelinePage } from "../../src/server/timeline/queries.js";
import { createTestDatabase } from "../support/server-process.js";

const url = process.env.NIOTEBOOK_TEST_DB_URL;

describe.skipIf(!url)("page statements and PostgreSQL's plan cache", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let handle: DatabaseHandle;
  let authorId: string;

  beforeAll(async () => {
    database = await createTestDatabase(url!);
    handle = openPostgres({ url: database.url, poolSize: 1 });
    await migrateToLatest(handle.db);
    await sql`INSERT INTO users (username, email, password_hash, display_name)
      SELECT 'user' || i, 'user' || i || '@example.com', 'x', 'User ' || i FROM generate_series(1, 50) i`.execute(handle.db);
    await sql`INSERT INTO posts (author_id, content, created_at)
      SELECT (SELECT id FROM users ORDER BY username OFFSET (i % 50) LIMIT 1), 'post ' || i, now() - i * interval '1 second'
      FROM generate_series(1, 20000) i`.execute(handle.db);
    await sql`ANALYZE`.execute(handle.db);
    authorId = (await sql<{ id: string }>`SELECT id FROM users WHERE username = 'user7'`.execute(handle.db)).rows[0]!.id;
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  const plans = async (...fragments: string[]) =>
    (await sql<{ generic: number; custom: number }>`SELECT generic_plans::int AS generic, custom_plans::int AS custom
      FROM pg_prepared_statements WHERE statement ILIKE ALL (${fragments.map((f) => `%${f}%`)})`.execute(handle.db)).rows;

  it("plans a deep timeline page once, not on every request", async () => {
    const [older] = await timelinePage(handle.db, undefined, 1);
    const cursor = { after: { createdAt: older!.created_at, id: older!.id } };
    for (let i = 0; i < 12; i++) expect(await timelinePage(handle.db, cursor, 50)).toHaveLength(51);
    const timeline = await plans("inner join", "posts.created_at, posts.id) <");
    expect(timeline).toHaveLength(1);
    const deep = timeline[0];
    // PostgreSQL tries five custom plans before it weighs the generic one.
    expect(deep!.generic).toBeGreaterThan(0);
    expect(deep!.custom).toBeLessThanOrEqual(5);
  });

  it("plans a user's page once, not on every request", async () => {
    const first = (await userPostsPage(handle.db, { id: authorId }, undefined, 50))!.posts;
    const cursor = { after: { createdAt: first[49]!.created_at, id: first[49]!.id } };
    for (let i = 0; i < 12; i++) {
      expect((await userPostsPage(handle.db, { id: authorId }, undefined, 50))!.posts).toHaveLength(51);
      expect((await userPostsPage(handle.db, { id: authorId }, cursor, 50))!.posts).toHaveLength(51);
    }
    const pages = await plans("LEFT JOIN LATERAL");
    expect(pages).toHaveLength(2);
    for (const page of pages) {
      expect(page.generic).toBeGreaterThan(0);
      expect(page.custom).toBeLessThanOrEqual(5);
    }
  });
});
