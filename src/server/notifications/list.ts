import { NotificationPage, PageQuery } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { parsePageRequest, toPage } from "../db/pagination.js";
import { errorResponses, sendSerialised } from "../http/responses.js";
import type { App } from "../http/types.js";
import { notificationsList, notificationsPage, NOTIFICATIONS_KEYSET, unreadCount } from "./queries.js";

export function listNotificationsRoute(app: App, ctx: AppContext): void {
  app.get("", {
    schema: {
      tags: ["notifications"], summary: "Your notifications, newest first (ext)",
      querystring: PageQuery, response: { 200: NotificationPage, ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const viewer = request.caller!.userId;
    const list = notificationsList(viewer);
    const page = parsePageRequest(request.query, list, NOTIFICATIONS_KEYSET);
    const [rows, unread] = await Promise.all([notificationsPage(ctx.db, viewer, page.after, page.limit), unreadCount(ctx.db, viewer)]);
    const { items, next_cursor, has_more } = toPage(rows, page, NOTIFICATIONS_KEYSET, (n) => ({ id: n.id }));
    // Serialised here: the embedded Post carries the social fields the v1 Post schema lacks.
    return sendSerialised(reply, JSON.stringify({ notifications: items, next_cursor, has_more, unread_count: unread }));
  });
}
