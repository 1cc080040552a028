// Migrations 0010 (notifications) and 0011 (events for the live stream), listed in
// db/migrations.ts. Both are kept by triggers, so every path that changes the rows they derive
// from — the routes, a cascade from a deleted user or post, admin tools, psql — keeps them right.
/* eslint-disable @typescript-eslint/no-explicit-any -- because a migration takes Kysely<any> by Kysely's own convention: it must not depend on today's schema type (Kysely<unknown> does not accept a Kysely<Database>). */
import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/** NOTIFY channel the event triggers signal on (once per transaction: same payload folds). */
export const EVENTS_CHANNEL = "niotebook_events";
/** The advisory lock that hands out event ids in commit order (see emit_event below). */
export const EVENTS_LOCK_KEY = 7_153_020_011;

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

// Notifications (social.md): one row per (recipient, actor, type, post) — a unique index with
// the absent post of `follow` as the zero uuid, so a null counts as equal (PGlite and
// PostgreSQL < 15 alike). Statement-level triggers over transition tables, like the counters:
// ON CONFLICT DO NOTHING makes a repeated or concurrent action add nothing, an undo deletes
// its row, and a redo inserts a new (unread, newer id) row. Deleting a post cascades to the
// notifications that name it. Blocks and mutes are applied when notifications are read.
export const notificationsMigration: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      CREATE TABLE notifications (
        id bigserial PRIMARY KEY,
        recipient_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        actor_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('follow', 'like', 'repost', 'reply', 'mention')),
        post_id uuid REFERENCES posts (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        read boolean NOT NULL DEFAULT false,
        CONSTRAINT notifications_post_iff_not_follow CHECK ((type = 'follow') = (post_id IS NULL)),
        CONSTRAINT notifications_not_self CHECK (recipient_id <> actor_id)
      )`.execute(db);
    await sql`CREATE UNIQUE INDEX notifications_once ON notifications
      (recipient_id, actor_id, type, COALESCE(post_id, ${sql.lit(ZERO_UUID)}::uuid))`.execute(db);
    await sql`CREATE INDEX notifications_recipient_id_idx ON notifications (recipient_id, id DESC)`.execute(db);
    await sql`CREATE INDEX notifications_unread_idx ON notifications (recipient_id, id) WHERE NOT read`.execute(db);
    // For cascades and undo by post, and for a deleted actor.
    await sql`CREATE INDEX notifications_post_id_idx ON notifications (post_id) WHERE post_id IS NOT NULL`.execute(db);
    await sql`CREATE INDEX notifications_actor_id_idx ON notifications (actor_id)`.execute(db);

    const fn = async (name: string, statements: string) =>
      sql`CREATE FUNCTION ${sql.raw(name)}() RETURNS trigger LANGUAGE plpgsql AS ${sql.raw(`$$ BEGIN ${statements} RETURN NULL; END $$`)}`.execute(db);
    const trigger = async (table: string, event: "INSERT" | "DELETE", name: string) =>
      sql`CREATE TRIGGER ${sql.raw(`${table}_${name}`)} AFTER ${sql.raw(event)} ON ${sql.table(table)}
        REFERENCING ${sql.raw(event === "INSERT" ? "NEW TABLE AS new_rows" : "OLD TABLE AS old_rows")}
        FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(name)}()`.execute(db);

    await fn("notify_follows_insert", `
      INSERT INTO notifications (recipient_id, actor_id, type)
        SELECT followee_id, follower_id, 'follow' FROM new_rows ON CONFLICT DO NOTHING;`);
    await fn("notify_follows_delete", `
      DELETE FROM notifications n USING old_rows o
        WHERE n.recipient_id = o.followee_id AND n.actor_id = o.follower_id AND n.type = 'follow';`);
    await trigger("follows", "INSERT", "notify_follows_insert");
    await trigger("follows", "DELETE", "notify_follows_delete");

    for (const [table, type] of [["likes", "like"], ["reposts", "repost"]] as const) {
      await fn(`notify_${table}_insert`, `
        INSERT INTO notifications (recipient_id, actor_id, type, post_id)
          SELECT p.author_id, r.user_id, '${type}', r.post_id FROM new_rows r JOIN posts p ON p.id = r.post_id
          WHERE p.author_id <> r.user_id ON CONFLICT DO NOTHING;`);
      await fn(`notify_${table}_delete`, `
        DELETE FROM notifications n USING old_rows o
          WHERE n.post_id = o.post_id AND n.actor_id = o.user_id AND n.type = '${type}';`);
      await trigger(table, "INSERT", `notify_${table}_insert`);
      await trigger(table, "DELETE", `notify_${table}_delete`);
    }

    // A reply notifies the parent's author; deleting the reply cascades (post_id is the reply).
    await fn("notify_posts_insert", `
      INSERT INTO notifications (recipient_id, actor_id, type, post_id)
        SELECT parent.author_id, r.author_id, 'reply', r.id FROM new_rows r JOIN posts parent ON parent.id = r.reply_to_id
        WHERE parent.author_id <> r.author_id ON CONFLICT DO NOTHING;`);
    await trigger("posts", "INSERT", "notify_posts_insert");

    // A mention, unless the mentioned user is the author or the author of the post it answers
    // (a reply that also mentions you is one notification: the reply).
    await fn("notify_post_mentions_insert", `
      INSERT INTO notifications (recipient_id, actor_id, type, post_id)
        SELECT m.user_id, p.author_id, 'mention', m.post_id
        FROM new_rows m JOIN posts p ON p.id = m.post_id LEFT JOIN posts parent ON parent.id = p.reply_to_id
        WHERE m.user_id <> p.author_id AND parent.author_id IS DISTINCT FROM m.user_id
        ON CONFLICT DO NOTHING;`);
    await fn("notify_post_mentions_delete", `
      DELETE FROM notifications n USING old_rows o
        WHERE n.post_id = o.post_id AND n.recipient_id = o.user_id AND n.type = 'mention';`);
    await trigger("post_mentions", "INSERT", "notify_post_mentions_insert");
    await trigger("post_mentions", "DELETE", "notify_post_mentions_delete");
  },
};

// Events for GET /stream, one sequence for the whole service. Ids must be in commit order: a
// replay reading "id > last" must never pass an id still held by an uncommitted transaction.
// So events are written by DEFERRED constraint triggers, i.e. at commit time, after taking one
// transaction-scoped advisory lock: ids are taken and committed one transaction at a time, and
// the lock is held only from the commit's start to its end (see docs/design-notes.md).
export const eventsMigration: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE SEQUENCE events_id_seq`.execute(db);
    await sql`
      CREATE TABLE events (
        id bigint PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('post', 'delete', 'notification', 'reset')),
        -- who it concerns: the author (post, delete), the reposter (repost entries), the
        -- recipient (notification), the caller (reset)
        user_id uuid NOT NULL,
        post_id uuid,
        -- a repost entry's id (post or delete with a repost)
        repost_id uuid,
        -- the original post's author (repost entries) or the actor (notification)
        other_id uuid,
        notification_id bigint,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`.execute(db);
    await sql`CREATE INDEX events_created_at_idx ON events (created_at)`.execute(db);
    // Cleanup raises this; a Last-Event-ID below it may have lost events after it: reset.
    await sql`CREATE TABLE events_horizon (one boolean PRIMARY KEY DEFAULT true CHECK (one), pruned_up_to bigint NOT NULL)`.execute(db);
    await sql`INSERT INTO events_horizon (pruned_up_to) VALUES (0)`.execute(db);

    await sql`
      CREATE FUNCTION emit_event(k text, u uuid, p uuid, r uuid, o uuid, n bigint) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${sql.lit(EVENTS_LOCK_KEY)});
        INSERT INTO events (id, kind, user_id, post_id, repost_id, other_id, notification_id)
          VALUES (nextval('events_id_seq'), k, u, p, r, o, n);
        PERFORM pg_notify(${sql.lit(EVENTS_CHANNEL)}, '');
      END
      $$`.execute(db);

    const fn = async (name: string, body: string) =>
      sql`CREATE FUNCTION ${sql.raw(name)}() RETURNS trigger LANGUAGE plpgsql AS ${sql.raw(`$$ BEGIN ${body} RETURN NULL; END $$`)}`.execute(db);
    // Deferred constraint triggers run at commit, one per row (PostgreSQL has no deferred
    // statement triggers); names start with "zz_" so they sort after the counters anyway.
    const trigger = async (table: string, event: "INSERT" | "DELETE", name: string) =>
      sql`CREATE CONSTRAINT TRIGGER ${sql.raw(`zz_${table}_${name}`)} AFTER ${sql.raw(event)} ON ${sql.table(table)}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${sql.raw(name)}()`.execute(db);

    await fn("events_posts_insert", `PERFORM emit_event('post', NEW.author_id, NEW.id, NULL, NULL, NULL);`);
    await fn("events_posts_delete", `PERFORM emit_event('delete', OLD.author_id, OLD.id, NULL, NULL, NULL);`);
    await trigger("posts", "INSERT", "events_posts_insert");
    await trigger("posts", "DELETE", "events_posts_delete");
    await fn("events_reposts_insert", `PERFORM emit_event('post', NEW.user_id, NEW.post_id, NEW.id,
      (SELECT author_id FROM posts WHERE id = NEW.post_id), NULL);`);
    await fn("events_reposts_delete", `PERFORM emit_event('delete', OLD.user_id, OLD.post_id, OLD.id,
      (SELECT author_id FROM posts WHERE id = OLD.post_id), NULL);`);
    await trigger("reposts", "INSERT", "events_reposts_insert");
    await trigger("reposts", "DELETE", "events_reposts_delete");
    await fn("events_notifications_insert", `PERFORM emit_event('notification', NEW.recipient_id, NEW.post_id, NULL, NEW.actor_id, NEW.id);`);
    await trigger("notifications", "INSERT", "events_notifications_insert");
    // The caller's home timeline changed in a way events do not describe: reset.
    for (const [table, caller] of [["follows", "follower_id"], ["blocks", "blocker_id"], ["mutes", "muter_id"]] as const) {
      await fn(`events_${table}_reset_new`, `PERFORM emit_event('reset', NEW.${caller}, NULL, NULL, NULL, NULL);`);
      await fn(`events_${table}_reset_old`, `PERFORM emit_event('reset', OLD.${caller}, NULL, NULL, NULL, NULL);`);
      await trigger(table, "INSERT", `events_${table}_reset_new`);
      await trigger(table, "DELETE", `events_${table}_reset_old`);
    }
  },
};
