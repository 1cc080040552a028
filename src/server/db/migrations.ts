// Numbered migrations, applied at start-up and by `niotebook-server migrate`. Kysely's
// migrator takes a PostgreSQL advisory lock, so two processes starting at once migrate once.
// The CHECK constraints restate the contract's input rules (generated from src/api's
// constants) so that a bug in the service can never store what the contract forbids.
/* eslint-disable @typescript-eslint/no-explicit-any -- because a migration takes Kysely<any> by Kysely's own convention: it must not depend on today's schema type (Kysely<unknown> does not accept a Kysely<Database>). */
import { sql, type Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";
import { accountsMigrations } from "../accounts/migrations.js";
import { eventsMigration, notificationsMigration } from "../live/migrations.js";
import {
  BIO_MAX, DISPLAY_NAME_MAX, DISPLAY_NAME_MIN, EMAIL_MAX, POST_MAX, RESERVED_USERNAMES,
  TRIM_WHITESPACE, USERNAME_MAX, USERNAME_MIN,
} from "../../api/index.js";
import { safetyMigrations } from "../safety/migrations.js";
import { searchByAuthorMigrations, searchMigrations, searchSpeedMigrations } from "../search/migrations.js";

const trimSet = TRIM_WHITESPACE.map((cp) => `chr(${cp})`).join(" || ");
const reserved = RESERVED_USERNAMES.map((name) => `'${name}'`).join(", ");
// PostgreSQL ARE regexes; \uXXXX escapes reach the regex engine as written.
const CONTROL = String.raw`[\u0001-\u001F\u007F-\u009F]`;
const CONTROL_EXCEPT_TAB_LF = String.raw`[\u0001-\u0008\u000B-\u001F\u007F-\u009F]`;

const initial: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        email text NOT NULL,
        password_hash text NOT NULL,
        display_name text NOT NULL,
        bio text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_username_format CHECK (
          username ~ ${sql.lit(`^[a-z0-9][a-z0-9_]{${USERNAME_MIN - 2},${USERNAME_MAX - 2}}[a-z0-9]$`)}
          AND position('__' in username) = 0
          AND username NOT IN (${sql.raw(reserved)})),
        CONSTRAINT users_email_format CHECK (
          char_length(email) <= ${sql.lit(EMAIL_MAX)} AND email LIKE '%_@_%._%'),
        CONSTRAINT users_display_name_rules CHECK (
          char_length(display_name) BETWEEN ${sql.lit(DISPLAY_NAME_MIN)} AND ${sql.lit(DISPLAY_NAME_MAX)}
          AND display_name !~ ${sql.lit(CONTROL)}),
        CONSTRAINT users_bio_rules CHECK (
          char_length(bio) <= ${sql.lit(BIO_MAX)} AND bio !~ ${sql.lit(CONTROL_EXCEPT_TAB_LF)})
      )`.execute(db);
    await sql`CREATE UNIQUE INDEX users_username_key ON users (username)`.execute(db);
    await sql`CREATE UNIQUE INDEX users_email_key ON users (email)`.execute(db);

    await sql`
      CREATE TABLE posts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        author_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        content text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT posts_content_rules CHECK (
          char_length(content) BETWEEN 1 AND ${sql.lit(POST_MAX)}
          AND content = btrim(content, ${sql.raw(trimSet)})
          AND content !~ ${sql.lit(CONTROL_EXCEPT_TAB_LF)})
      )`.execute(db);
    // Keyset paging walks (created_at, id) newest first, globally and per author.
    await sql`CREATE INDEX posts_created_at_id_idx ON posts (created_at DESC, id DESC)`.execute(db);
    await sql`CREATE INDEX posts_author_created_at_id_idx ON posts (author_id, created_at DESC, id DESC)`.execute(db);

    await sql`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz,
        revoked_at timestamptz
      )`.execute(db);
    await sql`CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash)`.execute(db);
    await sql`CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id)`.execute(db);
    await sql`CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at)`.execute(db);
  },
};

const timelineVersion: Migration = {
  // Advanced after every post write; first-page caches in other processes compare it.
  async up(db: Kysely<any>) {
    await sql`CREATE SEQUENCE timeline_version`.execute(db);
  },
};

const readerFlagsVersion: Migration = {
  // Advanced after every like, repost or undo: readers' flags cached in other processes compare it
  // (timeline/reader-flags.ts).
  async up(db: Kysely<any>) {
    await sql`CREATE SEQUENCE IF NOT EXISTS reader_flags_version`.execute(db);
  },
};

// The home feed's window (social/feeds.ts homeFeedWindowPage) reads the newest posts by key and
// keeps those by followed authors: with the author in the index that is an index-only scan.
// It replaces the plain (created_at, id) index, which every other use of reads the same way.
const postsTimeAuthorIndex: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE INDEX IF NOT EXISTS posts_created_at_id_author_idx ON posts (created_at DESC, id DESC) INCLUDE (author_id)`.execute(db);
    await sql`DROP INDEX IF EXISTS posts_created_at_id_idx`.execute(db);
  },
};

// Every process caches which users exist (auth/known-users.ts); this tells them when one goes,
// however it went — through the API, psql or a TRUNCATE.
const userDeletedNotify: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      CREATE FUNCTION notify_user_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('niotebook_user_deleted', CASE WHEN TG_LEVEL = 'ROW' THEN OLD.id::text ELSE '' END);
        RETURN NULL;
      END
      $$`.execute(db);
    await sql`CREATE TRIGGER users_deleted_notify AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION notify_user_deleted()`.execute(db);
    await sql`CREATE TRIGGER users_truncated_notify AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION notify_user_deleted()`.execute(db);
  },
};

// A session is a login and every refresh token rotated from it. Logout ends the whole
// session, so a copy of an already rotated token presented later is "signed out", never theft.
const refreshTokenSessions: Migration = {
  async up(db: Kysely<any>) {
    // The default makes each token issued before sessions existed a session of its own, and
    // keeps a process still running the previous version (its inserts name no session) working.
    await sql`ALTER TABLE refresh_tokens ADD COLUMN session_id uuid NOT NULL DEFAULT gen_random_uuid()`.execute(db);
    await sql`CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id)`.execute(db);
  },
};

// The social graph (social.md). Counters live in columns, kept by triggers in the same
// transaction as the row they count: exact under any race and however a row goes (the API,
// a cascade from a deleted user or post, psql). A repeated follow/like/repost inserts nothing
// (ON CONFLICT DO NOTHING) so no trigger fires and nothing is counted twice. A counter row
// is a hot row for a popular post or user: each change holds its lock until commit.
const socialGraph: Migration = {
  async up(db: Kysely<any>) {
    // No foreign key: a reply keeps naming its parent after the parent is deleted (the
    // contract's reply_to_id); a parent id with no row is how a thread knows it was deleted.
    await sql`ALTER TABLE posts
      ADD COLUMN reply_to_id uuid,
      ADD COLUMN reply_count integer NOT NULL DEFAULT 0,
      ADD COLUMN like_count integer NOT NULL DEFAULT 0,
      ADD COLUMN repost_count integer NOT NULL DEFAULT 0`.execute(db);
    // A thread's replies, oldest first.
    await sql`CREATE INDEX posts_reply_to_created_at_id_idx ON posts (reply_to_id, created_at, id)
      WHERE reply_to_id IS NOT NULL`.execute(db);
    await sql`ALTER TABLE users
      ADD COLUMN followers_count integer NOT NULL DEFAULT 0,
      ADD COLUMN following_count integer NOT NULL DEFAULT 0,
      ADD COLUMN posts_count integer NOT NULL DEFAULT 0`.execute(db);

    await sql`
      CREATE TABLE follows (
        follower_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        followee_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (follower_id, followee_id),
        CONSTRAINT follows_not_self CHECK (follower_id <> followee_id)
      )`.execute(db);
    // Following (and the home feed's list of authors) and followers, most recent first.
    await sql`CREATE INDEX follows_follower_created_at_idx ON follows (follower_id, created_at DESC, followee_id DESC)`.execute(db);
    await sql`CREATE INDEX follows_followee_created_at_idx ON follows (followee_id, created_at DESC, follower_id DESC)`.execute(db);

    await sql`
      CREATE TABLE likes (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, post_id)
      )`.execute(db);
    await sql`CREATE INDEX likes_post_created_at_idx ON likes (post_id, created_at DESC, user_id DESC)`.execute(db);

    // id: a repost is a home-feed entry of its own, so it has its own key beside the post's.
    await sql`
      CREATE TABLE reposts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, post_id)
      )`.execute(db);
    await sql`CREATE INDEX reposts_post_created_at_idx ON reposts (post_id, created_at DESC, user_id DESC)`.execute(db);
    await sql`CREATE INDEX reposts_user_created_at_idx ON reposts (user_id, created_at DESC, id DESC)`.execute(db);

    // created_at copies the post's, so "mentions of me" and a tag's posts page on one index.
    await sql`
      CREATE TABLE post_mentions (
        post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        position smallint NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (post_id, user_id)
      )`.execute(db);
    await sql`CREATE INDEX post_mentions_user_created_at_idx ON post_mentions (user_id, created_at DESC, post_id DESC)`.execute(db);
    // Lower-casing can lengthen a 50-character tag, hence the looser bound.
    await sql`
      CREATE TABLE post_tags (
        post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        tag text NOT NULL CHECK (char_length(tag) BETWEEN 1 AND 150),
        position smallint NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (post_id, tag)
      )`.execute(db);
    await sql`CREATE INDEX post_tags_tag_created_at_idx ON post_tags (tag, created_at DESC, post_id DESC)`.execute(db);

    // Counter triggers: one per statement and event, reading the statement's transition
    // table, so a bulk insert (the seed, a cascade from a deleted user) updates each counted
    // row once instead of once per row (measured: seeding 100,000 posts took 2.3x as long
    // with per-row triggers). ON CONFLICT DO NOTHING leaves skipped rows out of the transition
    // table. Locks are taken posts before users, and users in id order, so two counting
    // statements never wait for each other in a cycle.
    for (const [event, rows, sign] of [["INSERT", "new_rows", "+"], ["DELETE", "old_rows", "-"]] as const) {
      const op = event.toLowerCase();
      const body = (statements: string) => sql.raw(`$$ BEGIN ${statements} RETURN NULL; END $$`);
      await sql`CREATE FUNCTION ${sql.raw(`count_posts_${op}`)}() RETURNS trigger LANGUAGE plpgsql AS ${body(`
        PERFORM 1 FROM posts WHERE id IN (SELECT reply_to_id FROM ${rows}) ORDER BY id FOR NO KEY UPDATE;
        PERFORM 1 FROM users WHERE id IN (SELECT author_id FROM ${rows}) ORDER BY id FOR NO KEY UPDATE;
        UPDATE posts p SET reply_count = p.reply_count ${sign} c.n
          FROM (SELECT reply_to_id AS id, count(*)::integer AS n FROM ${rows} WHERE reply_to_id IS NOT NULL GROUP BY 1) c
          WHERE p.id = c.id;
        UPDATE users u SET posts_count = u.posts_count ${sign} c.n
          FROM (SELECT author_id AS id, count(*)::integer AS n FROM ${rows} GROUP BY 1) c
          WHERE u.id = c.id;`)}`.execute(db);
      await sql`CREATE FUNCTION ${sql.raw(`count_follows_${op}`)}() RETURNS trigger LANGUAGE plpgsql AS ${body(`
        PERFORM 1 FROM users WHERE id IN (SELECT follower_id FROM ${rows} UNION SELECT followee_id FROM ${rows})
          ORDER BY id FOR NO KEY UPDATE;
        UPDATE users u SET following_count = u.following_count ${sign} c.n
          FROM (SELECT follower_id AS id, count(*)::integer AS n FROM ${rows} GROUP BY 1) c WHERE u.id = c.id;
        UPDATE users u SET followers_count = u.followers_count ${sign} c.n
          FROM (SELECT followee_id AS id, count(*)::integer AS n FROM ${rows} GROUP BY 1) c WHERE u.id = c.id;`)}`.execute(db);
      for (const [table, column] of [["likes", "like_count"], ["reposts", "repost_count"]] as const) {
        await sql`CREATE FUNCTION ${sql.raw(`count_${table}_${op}`)}() RETURNS trigger LANGUAGE plpgsql AS ${body(`
          PERFORM 1 FROM posts WHERE id IN (SELECT post_id FROM ${rows}) ORDER BY id FOR NO KEY UPDATE;
          UPDATE posts p SET ${column} = p.${column} ${sign} c.n
            FROM (SELECT post_id AS id, count(*)::integer AS n FROM ${rows} GROUP BY 1) c
            WHERE p.id = c.id;`)}`.execute(db);
      }
      for (const table of ["posts", "follows", "likes", "reposts"]) {
        await sql`CREATE TRIGGER ${sql.raw(`${table}_count_${op}`)} AFTER ${sql.raw(event)} ON ${sql.table(table)}
          REFERENCING ${sql.raw(event === "INSERT" ? "NEW" : "OLD")} TABLE AS ${sql.raw(rows)}
          FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(`count_${table}_${op}`)}()`.execute(db);
      }
    }

    // Backfill. The ALTER TABLEs above hold posts and users locked until this migration's
    // transaction commits, so a post written meanwhile by a running older process waits and
    // is then counted by the trigger: nothing is counted twice or missed.
    await sql`UPDATE users SET posts_count = c.n
      FROM (SELECT author_id, count(*)::integer AS n FROM posts GROUP BY author_id) c
      WHERE users.id = c.author_id`.execute(db);
  },
};

// POST /posts with an Idempotency-Key: the same user's same key within 24 hours answers with
// the first post. post_id has no foreign key: the key still means "already done" after that
// post is deleted. Rows older than 24 hours are dead (and reclaimed by the next use or cleanup).
const idempotencyKeys: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key text NOT NULL CHECK (key ~ '^[ -~]{1,100}$'),
        post_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`.execute(db);
    await sql`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`.execute(db);
  },
};

// Blocks and mutes, so the read queries can filter by joining them (their API comes later).
const blocksAndMutes: Migration = {
  async up(db: Kysely<any>) {
    for (const [table, actor, target] of [["blocks", "blocker_id", "blocked_id"], ["mutes", "muter_id", "muted_id"]] as const) {
      await sql`
        CREATE TABLE ${sql.table(table)} (
          ${sql.ref(actor)} uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          ${sql.ref(target)} uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (${sql.ref(actor)}, ${sql.ref(target)}),
          CHECK (${sql.ref(actor)} <> ${sql.ref(target)})
        )`.execute(db);
      // The user's own list, most recent first; and "who blocks/mutes this user".
      await sql`CREATE INDEX ${sql.raw(`${table}_${actor}_created_at_idx`)} ON ${sql.table(table)} (${sql.ref(actor)}, created_at DESC, ${sql.ref(target)} DESC)`.execute(db);
      await sql`CREATE INDEX ${sql.raw(`${table}_${target}_idx`)} ON ${sql.table(table)} (${sql.ref(target)}, ${sql.ref(actor)})`.execute(db);
    }
  },
};

export const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_timeline_version": timelineVersion,
  "0003_user_deleted_notify": userDeletedNotify,
  "0004_refresh_token_sessions": refreshTokenSessions,
  "0005_social_graph": socialGraph,
  "0006_idempotency_keys": idempotencyKeys,
  "0007_blocks_and_mutes": blocksAndMutes,
  "0010_notifications": notificationsMigration,
  "0011_events": eventsMigration,
  ...searchMigrations,
  ...safetyMigrations,
  ...accountsMigrations,
  ...searchSpeedMigrations,
  "0040_reader_flags_version": readerFlagsVersion,
  "0041_posts_time_author_index": postsTimeAuthorIndex,
  ...searchByAuthorMigrations,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Applies migrations up to and including `name` only: for tests that build an older schema. */
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  if (!(name in migrations)) throw new RangeError(`no migration ${name}`);
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw error;
}
