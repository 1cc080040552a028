// Reading notifications (the triggers of migration 0010 write them). Blocks and mutes filter
// here, when they are read: muting hides an actor's notifications, unmuting shows them again.
import { sql } from "kysely";
import type { User } from "../../api/index.js";
import type { NotificationType } from "../../api/notifications.js";
import { serialKeyset, type SerialKey } from "../db/pagination.js";
import { rowsFor, ts, visibleTo, type Db, type SocialPost } from "../social/common.js";
import { renderPostsFor } from "./render-posts.js";

export const NOTIFICATIONS_KEYSET = serialKeyset("n.id");
export const notificationsList = (userId: string) => `notifications:${userId}`;

export interface NotificationOut {
  id: string;
  type: NotificationType;
  actor: User;
  post?: SocialPost;
  created_at: string;
  read: boolean;
}

interface Row {
  id: string;
  type: NotificationType;
  post_id: string | null;
  created_at: string;
  read: boolean;
  actor_id: string;
  actor_username: string;
  actor_display_name: string;
  actor_bio: string;
  actor_created_at: string;
}

/** Notifications of `viewer`, newest first, limit+1 rows (or only those with the given ids). */
async function selectNotifications(db: Db, viewer: string, where: { after?: SerialKey; limit: number } | { ids: string[] }): Promise<NotificationOut[]> {
  const condition = "ids" in where
    ? sql`AND n.id = ANY(${where.ids}::bigint[])`
    : where.after ? sql`AND ${NOTIFICATIONS_KEYSET.after(where.after, "desc")}` : sql``;
  const limit = "ids" in where ? sql`` : sql`LIMIT ${rowsFor(where.limit)}`;
  const result = await sql<Row>`SELECT n.id::text AS id, n.type, n.post_id, ${ts(sql`n.created_at`)} AS created_at, n.read,
      a.id AS actor_id, a.username AS actor_username, a.display_name AS actor_display_name, a.bio AS actor_bio,
      ${ts(sql`a.created_at`)} AS actor_created_at
    FROM notifications n JOIN users a ON a.id = n.actor_id
    WHERE n.recipient_id = ${viewer}::uuid AND ${visibleTo(viewer, sql`n.actor_id`)} ${condition}
    ORDER BY n.id DESC ${limit}`.execute(db);
  const posts = await renderPostsFor(db, viewer, result.rows.flatMap((r) => (r.post_id ? [r.post_id] : [])));
  const out: NotificationOut[] = [];
  for (const r of result.rows) {
    const post = r.post_id ? posts.get(r.post_id) : undefined;
    // Its post deleted between the two statements: the notification went with it.
    if (r.post_id && !post) continue;
    out.push({
      id: r.id,
      type: r.type,
      actor: { id: r.actor_id, username: r.actor_username, display_name: r.actor_display_name, bio: r.actor_bio, created_at: r.actor_created_at },
      ...(post ? { post } : {}),
      created_at: r.created_at,
      read: r.read,
    });
  }
  return out;
}

export const notificationsPage = (db: Db, viewer: string, after: SerialKey | undefined, limit: number) =>
  selectNotifications(db, viewer, { ...(after ? { after } : {}), limit });

/** The given notifications of `viewer` that exist and are visible, newest first. */
export const notificationsById = (db: Db, viewer: string, ids: string[]) => selectNotifications(db, viewer, { ids });

export async function unreadCount(db: Db, viewer: string): Promise<number> {
  const result = await sql<{ n: string }>`SELECT count(*) AS n FROM notifications n
    WHERE n.recipient_id = ${viewer}::uuid AND NOT n.read AND ${visibleTo(viewer, sql`n.actor_id`)}`.execute(db);
  return Number(result.rows[0]!.n);
}

/**
 * Marks the caller's notifications read: all, or `upTo` and every older one. False when
 * `upTo` names no notification of the caller's (404).
 */
export async function markRead(db: Db, viewer: string, upTo: string | undefined): Promise<boolean> {
  if (upTo !== undefined) {
    const exists = await sql`SELECT 1 FROM notifications WHERE id = ${upTo}::bigint AND recipient_id = ${viewer}::uuid`.execute(db);
    if (exists.rows.length === 0) return false;
  }
  const bound = upTo === undefined ? sql`` : sql`AND id <= ${upTo}::bigint`;
  await sql`UPDATE notifications SET read = true WHERE recipient_id = ${viewer}::uuid AND NOT read ${bound}`.execute(db);
  return true;
}
