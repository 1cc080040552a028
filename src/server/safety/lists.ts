// GET /api/v1/users/me/blocks and /mutes → {users, next_cursor, has_more}, most recent first.
import { PageQuery, UserPage } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { parsePageRequest, timeIdKeyset, toPage } from "../db/pagination.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { safetyListPage, type SafetyKind } from "./queries.js";

// Columns are unused here (the query writes its own keyset condition); only the encoding is.
const keyset = timeIdKeyset("x.created_at", "x.id");

/** The list identity bound into the cursors: one list per user and kind. */
export const safetyList = (kind: SafetyKind, userId: string): string => `${kind}:${userId}`;

export function safetyListRoutes(app: App, ctx: AppContext): void {
  for (const kind of ["blocks", "mutes"] as const) {
    app.get(`/users/me/${kind}`, {
      schema: {
        tags: ["safety"], summary: `The users you ${kind === "blocks" ? "block" : "mute"}, most recent first`,
        querystring: PageQuery, response: { 200: UserPage, ...errorResponses(400, 401) },
      },
    }, async (request) => {
      const caller = request.caller!.userId;
      const asked = parsePageRequest(request.query, safetyList(kind, caller), keyset);
      const rows = await safetyListPage(ctx.db, kind, caller, asked.after, asked.limit);
      const page = toPage(rows, asked, keyset, (row) => row.key);
      return { users: page.items.map((row) => row.item), next_cursor: page.next_cursor, has_more: page.has_more };
    });
  }
}
