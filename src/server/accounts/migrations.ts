// Accounts and operators (issue 22): revocation and suspension state on users, SSH keys and
// their log-in challenges, invites, reports and the audit log. Registered in
// db/migrations.ts under names 0030_… so the social migrations (0005–0009, 0020) come first.
/* eslint-disable @typescript-eslint/no-explicit-any -- because a migration takes Kysely<any> by Kysely's own convention: it must not depend on today's schema type (Kysely<unknown> does not accept a Kysely<Database>). */
import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

const accounts: Migration = {
  async up(db: Kysely<any>) {
    // token_epoch: an access token carries the epoch it was issued in (claim `sev`) and is
    // refused once the epoch moved on (password change, deletion). A counter rather than a
    // time, so the database's and the servers' clocks never have to agree.
    await sql`ALTER TABLE users ADD COLUMN token_epoch integer NOT NULL DEFAULT 0`.execute(db);
    await sql`ALTER TABLE users ADD COLUMN suspended_at timestamptz`.execute(db);
    await sql`ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'user'
      CONSTRAINT users_role_values CHECK (role IN ('user', 'moderator', 'admin'))`.execute(db);
    // Every process caches what it knows of a user (auth/known-users.ts); the deletion
    // channel makes it forget a user, so the next request reads the new state.
    await sql`
      CREATE TRIGGER users_access_changed_notify AFTER UPDATE OF token_epoch, suspended_at ON users
      FOR EACH ROW WHEN (OLD.token_epoch IS DISTINCT FROM NEW.token_epoch OR OLD.suspended_at IS DISTINCT FROM NEW.suspended_at)
      EXECUTE FUNCTION notify_user_deleted()`.execute(db);

    await sql`
      CREATE TABLE ssh_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key_type text NOT NULL,
        -- The wire blob in base64: compared byte for byte with the key inside a signature.
        public_key text NOT NULL,
        fingerprint text NOT NULL,
        comment text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`.execute(db);
    await sql`CREATE UNIQUE INDEX ssh_keys_user_key ON ssh_keys (user_id, public_key)`.execute(db);

    // Challenges name a username, not a user: unknown users get one like anyone else.
    await sql`
      CREATE TABLE ssh_challenges (
        challenge text PRIMARY KEY,
        username text NOT NULL,
        expires_at timestamptz NOT NULL
      )`.execute(db);
    await sql`CREATE INDEX ssh_challenges_expires_at_idx ON ssh_challenges (expires_at)`.execute(db);

    await sql`
      CREATE TABLE invites (
        code text PRIMARY KEY,
        uses_allowed integer NOT NULL CHECK (uses_allowed >= 1),
        uses integer NOT NULL DEFAULT 0,
        expires_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT invites_uses_bounded CHECK (uses BETWEEN 0 AND uses_allowed)
      )`.execute(db);

    // The safety issue adds POST /reports; the table may already exist when it landed first.
    await sql`
      CREATE TABLE IF NOT EXISTS reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reporter_id uuid REFERENCES users (id) ON DELETE CASCADE,
        post_id uuid REFERENCES posts (id) ON DELETE SET NULL,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        content text NOT NULL DEFAULT '',
        reason text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`.execute(db);

    // Who did what to whom: actor and target are names, kept when the target is deleted.
    await sql`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        actor text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        details text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now()
      )`.execute(db);
  },
};

export const accountsMigrations: Record<string, Migration> = {
  "0030_accounts": accounts,
};
