// Numbered migrations, applied at start-up and by `niotebook-server migrate`. Kysely's
// migrator takes a PostgreSQL advisory lock, so two processes starting at once migrate once.
// The CHECK constraints restate the contract's input rules (generated from src/api's
// constants) so that a bug in the service can never store what the contract forbids.
import { sql, type Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";
import { accountsMigrations } from "../accounts/migrations.js";
import {
  BIO_MAX, DISPLAY_NAME_MAX, DISPLAY_NAME_MIN, EMAIL_MAX, POST_MAX, RESERVED_USERNAMES,
  TRIM_WHITESPACE, USERNAME_MAX, USERNAME_MIN,
} from "../../api/index.js";

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

export const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_timeline_version": timelineVersion,
  "0003_user_deleted_notify": userDeletedNotify,
  "0004_refresh_token_sessions": refreshTokenSessions,
  ...accountsMigrations,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
