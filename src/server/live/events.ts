// Reading and pruning the events table (migration 0011). Ids are in commit order, so
// "id > last" read at any moment never passes an event that commits later.
import { sql } from "kysely";
import type { Db } from "../social/common.js";

export interface EventRow {
  id: string;
  kind: "post" | "delete" | "notification" | "reset";
  user_id: string;
  post_id: string | null;
  repost_id: string | null;
  other_id: string | null;
  notification_id: string | null;
  /** Milliseconds since the epoch, for the delivery-lag metric. */
  created_ms: number;
  /** How many follow the event's user and other user: how the hub reads relations (hub.ts). */
  actor_followers: number;
}

/** Kept at least this long and at least this many (social.md: 10 minutes, the last 1,000). */
export const RETAIN_MS = 10 * 60_000;
export const RETAIN_COUNT = 1_000;

export async function readEvents(db: Db, after: bigint, limit: number, upTo?: bigint): Promise<EventRow[]> {
  // e.id, not id: the output column `id` is text, and ORDER BY id would sort by it ("10" < "9").
  const bound = upTo === undefined ? sql`` : sql`AND e.id <= ${upTo.toString()}::bigint`;
  const result = await sql<EventRow>`SELECT e.id::text AS id, kind, user_id, post_id, repost_id, other_id,
      notification_id::text AS notification_id, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms,
      (SELECT coalesce(sum(u.followers_count), 0) FROM users u WHERE u.id IN (e.user_id, e.other_id))::int AS actor_followers
    FROM events e WHERE e.id > ${after.toString()}::bigint ${bound} ORDER BY e.id LIMIT ${sql.lit(limit)}`.execute(db);
  return result.rows;
}

/** The newest committed event id (0 when there is none yet). */
export async function latestEventId(db: Db): Promise<bigint> {
  const result = await sql<{ id: string | null }>`SELECT max(id)::text AS id FROM events`.execute(db);
  return BigInt(result.rows[0]?.id ?? "0");
}

/**
 * Whether a stream may resume after `id`: every event after it is still stored. False for an
 * id below what cleanup removed, or above any id handed out (unknown).
 */
export async function canResumeAfter(db: Db, id: bigint): Promise<boolean> {
  const result = await sql<{ pruned: string; last: string }>`SELECT h.pruned_up_to::text AS pruned,
      (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM events_id_seq)::text AS last
    FROM events_horizon h`.execute(db);
  const row = result.rows[0];
  return row !== undefined && id >= BigInt(row.pruned) && id <= BigInt(row.last);
}

/**
 * Removes events older than 10 minutes except the newest 1,000, and records how far it went
 * (one statement: the horizon moves with the rows it covers). Returns how many went.
 */
export async function pruneEvents(db: Db): Promise<number> {
  const result = await sql<{ n: string }>`
    WITH cut AS (
      -- Both bounds must hold: least() would skip a null one.
      SELECT CASE WHEN o.id IS NULL OR k.id IS NULL THEN NULL ELSE least(o.id, k.id) END AS up_to
      FROM (SELECT max(id) AS id FROM events WHERE created_at < clock_timestamp() - ${sql.lit(`${RETAIN_MS / 1000} seconds`)}::interval) o,
        (SELECT (SELECT id FROM events ORDER BY id DESC OFFSET ${sql.lit(RETAIN_COUNT)} LIMIT 1) AS id) k
    ),
    gone AS (DELETE FROM events WHERE id <= (SELECT up_to FROM cut) RETURNING 1),
    moved AS (UPDATE events_horizon SET pruned_up_to = greatest(pruned_up_to, (SELECT up_to FROM cut))
      WHERE (SELECT up_to FROM cut) IS NOT NULL RETURNING 1)
    SELECT (SELECT count(*) FROM gone)::text AS n, (SELECT count(*) FROM moved) AS m`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}
