// The safety migration (issue 21): the reports table, and the trigger that makes a follow and
// a block of the same pair of users serialize, so no follow survives a concurrent block.
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Migration } from "kysely/migration";

/** The advisory-lock key of an unordered pair of users (both ways lock the same key). */
export const PAIR_LOCK_SQL = (a: string, b: string): string =>
  `hashtextextended('social-pair:' || least(${a}, ${b})::text || greatest(${a}, ${b})::text, 0)`;

/** The same key for two user ids in a statement (bound as parameters, or columns as RawBuilders). */
export function pairLockKey(a: string | RawBuilder<unknown>, b: string | RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`hashtextextended('social-pair:' || least(${a}::uuid, ${b}::uuid)::text || greatest(${a}::uuid, ${b}::uuid)::text, 0)`;
}

const safety: Migration = {
  async up(db: Kysely<unknown>) {
    // IF NOT EXISTS: the accounts work may create the same table in its own migration; the
    // columns are agreed. post_id has no foreign key: a report outlives the post it copies.
    await sql`
      CREATE TABLE IF NOT EXISTS reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reporter_id uuid REFERENCES users (id) ON DELETE SET NULL,
        post_id uuid,
        user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        content text,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`.execute(db);
    // Advanced after every block or mute change: processes compare it (reader-filter.ts).
    await sql`CREATE SEQUENCE IF NOT EXISTS safety_version`.execute(db);
    await sql`CREATE INDEX IF NOT EXISTS reports_unresolved_idx ON reports (created_at) WHERE resolved_at IS NULL`.execute(db);
    // follow() checks for a block and inserts in one statement, but under READ COMMITTED a
    // block committing meanwhile is not in that statement's snapshot. Both sides take the
    // pair's transaction lock; the check here runs after the lock with a fresh snapshot (a
    // VOLATILE function's statements each take one), so it sees a block committed while it
    // waited and drops the row (RETURN NULL: no row, so the counter trigger does not fire).
    await sql.raw(`
      CREATE FUNCTION follows_block_guard() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${PAIR_LOCK_SQL("NEW.follower_id", "NEW.followee_id")});
        IF EXISTS (SELECT 1 FROM blocks b
            WHERE (b.blocker_id = NEW.follower_id AND b.blocked_id = NEW.followee_id)
               OR (b.blocker_id = NEW.followee_id AND b.blocked_id = NEW.follower_id)) THEN
          RETURN NULL;
        END IF;
        RETURN NEW;
      END $$`).execute(db);
    await sql`CREATE TRIGGER follows_block_guard BEFORE INSERT ON follows
      FOR EACH ROW EXECUTE FUNCTION follows_block_guard()`.execute(db);
  },
};

export const safetyMigrations: Record<string, Migration> = {
  "0021_safety": safety,
};
