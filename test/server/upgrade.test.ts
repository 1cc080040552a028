// Upgrade in place: a database made by today's release (migrations 0001–0004 only, with
// users, posts — some at the same instant — and refresh-token sessions, written the way that
// release writes them) is opened by the new server, which migrates it at start-up. Nothing
// may be lost, the release's sessions and passwords still work, and the counters start exact.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/server/app.js";
import { hashPassword } from "../../src/server/auth/passwords.js";
import { hashRefreshToken } from "../../src/server/auth/tokens.js";
import { loadConfig } from "../../src/server/config.js";
import { createAppContext } from "../../src/server/context.js";
import { openEmbedded, openPostgres, type DatabaseHandle } from "../../src/server/db/database.js";
import { openRuntime } from "../../src/server/runtime.js";
import { migrateTo, migrateToLatest, migrations } from "../../src/server/db/migrations.js";
import { like } from "../../src/server/social/likes.js";
import { follow } from "../../src/server/social/follows.js";
import { createTestDatabase } from "../support/server-process.js";
import { BACKENDS, TEST_SECRET, TestClient, type Backend } from "./harness.js";

/** A database of its own and the server settings that reach it. */
async function openBare(backend: Backend): Promise<{ handle: DatabaseHandle; env: Record<string, string>; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "niotebook-upgrade-"));
  const env = { NIOTEBOOK_DATA_DIR: dir, NIOTEBOOK_RATE_LIMIT: "off", NIOTEBOOK_JWT_SECRET: TEST_SECRET };
  if (backend === "embedded") {
    const handle = await openEmbedded(dir);
    return { handle, env, async cleanup() { rmSync(dir, { recursive: true, force: true }); } };
  }
  const pgdb = await createTestDatabase(process.env.NIOTEBOOK_TEST_DB_URL!);
  const handle = openPostgres({ url: pgdb.url });
  return { handle, env: { ...env, NIOTEBOOK_DB_URL: pgdb.url }, async cleanup() { await pgdb.drop(); rmSync(dir, { recursive: true, force: true }); } };
}

describe.each(BACKENDS)("upgrading a release database in place on %s", (backend) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => { await cleanup?.(); cleanup = undefined; });

  it("keeps every user, post and session, and starts the counters exact", async () => {
    const bare = await openBare(backend);
    let bareOpen = true;
    cleanup = async () => { if (bareOpen) await bare.handle.close(); await bare.cleanup(); };
    let db = bare.handle.db;
    await migrateTo(db, "0004_refresh_token_sessions");
    expect(Object.keys(migrations).indexOf("0004_refresh_token_sessions")).toBe(3);

    // As the release writes them: users with a hash, posts (many users, uneven counts, one
    // instant shared by several), tokens with and without a session of their own.
    await sql`INSERT INTO users (username, email, password_hash, display_name, bio)
      SELECT 'user' || g, 'user' || g || '@example.com', '$argon2id$v=19$fake' || g, 'User ' || g, CASE WHEN g % 2 = 0 THEN 'bio ' || g ELSE '' END
      FROM generate_series(1, 30) g`.execute(db);
    await sql`INSERT INTO posts (author_id, content, created_at)
      SELECT u.id, 'post ' || g || ' by ' || u.username || ' #tag @user1',
             '2026-01-01T00:00:00Z'::timestamptz + (g % 50) * interval '1 second' + interval '0.123456 second'
      FROM users u JOIN generate_series(1, 40) g ON g <= (substr(u.username, 5)::int % 7) * 6`.execute(db);
    await sql`INSERT INTO refresh_tokens (user_id, token_hash, expires_at)
      SELECT id, 'hash-' || username, now() + interval '30 days' FROM users`.execute(db);
    await sql`INSERT INTO refresh_tokens (user_id, token_hash, expires_at, session_id, used_at)
      SELECT id, 'hash2-' || username, now() + interval '30 days', gen_random_uuid(), now() FROM users WHERE username LIKE 'user1%'`.execute(db);
    // One account to log in to, with a live refresh token, as the release stores them.
    const passwordHash = await hashPassword("password123");
    await sql`UPDATE users SET password_hash = ${passwordHash} WHERE username = 'user7'`.execute(db);
    await sql`INSERT INTO refresh_tokens (user_id, token_hash, expires_at)
      SELECT id, ${hashRefreshToken("release-refresh-token")}, now() + interval '30 days' FROM users WHERE username = 'user7'`.execute(db);
    const snapshot = async (db: DatabaseHandle["db"]) => ({
      users: (await sql`SELECT id, username, email, password_hash, display_name, bio, created_at::text, updated_at::text FROM users ORDER BY id`.execute(db)).rows,
      posts: (await sql`SELECT id, author_id, content, created_at::text FROM posts ORDER BY id`.execute(db)).rows,
      tokens: (await sql`SELECT id, user_id, token_hash, session_id, expires_at::text, created_at::text, used_at::text, revoked_at::text FROM refresh_tokens ORDER BY id`.execute(db)).rows,
    });
    const before = await snapshot(db);
    expect(before.posts.length).toBeGreaterThan(300);

    await bare.handle.close();
    bareOpen = false;

    // The new release starts on it: it migrates at start-up, as in production.
    const runtime = await openRuntime(loadConfig(bare.env));
    const ctx = createAppContext(loadConfig(bare.env), runtime.database, runtime.jwtSecret);
    const app = await buildApp(ctx);
    cleanup = async () => { await app.close(); await runtime.close(); await bare.cleanup(); };
    expect(runtime.migrationsApplied).toEqual(Object.keys(migrations).slice(4));
    db = ctx.db;
    expect(await snapshot(db)).toEqual(before);

    // The release's session and password still work.
    const anon = new TestClient(app);
    const refreshed = await anon.post("/api/v1/auth/refresh", { refresh_token: "release-refresh-token" });
    expect(refreshed.statusCode).toBe(200);
    const login = await anon.post("/api/v1/auth/login", { email: "user7@example.com", password: "password123" });
    expect(login.statusCode).toBe(200);
    const timeline = await anon.as(login.json().tokens.access_token).get("/api/v1/timeline?limit=5");
    expect(timeline.statusCode).toBe(200);

    // Counters: posts_count from the rows; the rest start at zero.
    const wrong = await sql`SELECT u.username, u.posts_count, (SELECT count(*)::int FROM posts p WHERE p.author_id = u.id) AS n
      FROM users u WHERE u.posts_count <> (SELECT count(*) FROM posts p WHERE p.author_id = u.id)
         OR u.followers_count <> 0 OR u.following_count <> 0`.execute(db);
    expect(wrong.rows).toEqual([]);
    const posts = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts
      WHERE reply_to_id IS NULL AND reply_count = 0 AND like_count = 0 AND repost_count = 0`.execute(db);
    expect(posts.rows[0]!.n).toBe(before.posts.length);

    // And the upgraded database works: the triggers count from here on.
    // b: the author of some post (users are in random id order, and some wrote none).
    const somePost = (before.posts as Array<{ id: string; author_id: string }>)[0]!;
    const b = (before.users as Array<{ id: string }>).find((u) => u.id === somePost.author_id)!;
    const a = (before.users as Array<{ id: string }>).find((u) => u.id !== b.id)!;
    await follow(db, a.id, b.id);
    const post = somePost;
    expect((await like(db, a.id, post.id))?.like_count).toBe(1);
    expect(await migrateToLatest(db)).toEqual([]);
  }, 180_000);
});

describe.skipIf(!process.env.NIOTEBOOK_TEST_DB_URL)("migrations on PostgreSQL", () => {
  it("run without the serving statement deadline, which still holds for the server's own statements", async () => {
    const pgdb = await createTestDatabase(process.env.NIOTEBOOK_TEST_DB_URL!);
    try {
      // A deadline of 1 ms: every migration takes longer, as 0042 takes over 5 s at 1,000,000 posts.
      const runtime = await openRuntime(loadConfig({ NIOTEBOOK_DB_URL: pgdb.url, NIOTEBOOK_JWT_SECRET: TEST_SECRET }), undefined, 1);
      try {
        expect(runtime.migrationsApplied).toEqual(Object.keys(migrations));
        await expect(sql`SELECT pg_sleep(0.1)`.execute(runtime.database.db)).rejects.toThrow(/Query read timeout/);
      } finally {
        await runtime.close();
      }
    } finally {
      await pgdb.drop();
    }
  });
});
