import { MarkReadBody } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound, validation } from "../http/errors.js";
import { errorResponses, noContent } from "../http/responses.js";
import type { App } from "../http/types.js";
import { NOTIFICATIONS_KEYSET, markRead } from "./queries.js";

/** A notification id as the API writes it (decimal text); a JSON integer is taken too. */
function parseNotificationId(raw: unknown): string | undefined {
  const text = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
  return typeof text === "string" ? NOTIFICATIONS_KEYSET.decode(text)?.id : undefined;
}

export function markReadRoute(app: App, ctx: AppContext): void {
  app.post("/read", {
    schema: {
      tags: ["notifications"], summary: "Mark all, or up to one, of your notifications read (ext)",
      body: MarkReadBody, response: { 204: noContent, ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    let upTo: string | undefined;
    if (request.body.up_to_id !== undefined) {
      upTo = parseNotificationId(request.body.up_to_id);
      if (upTo === undefined) throw validation("up_to_id", "up_to_id must be the id of one of your notifications");
    }
    if (!(await markRead(ctx.db, request.caller!.userId, upTo))) throw notFound("Notification not found");
    return reply.code(204).send(null);
  });
}
