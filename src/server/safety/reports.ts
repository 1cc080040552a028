// POST /api/v1/reports {post_id?, user_id?, reason} → 201 {report: {id, created_at}}.
import { ReportBody, ReportResponse, checkReportReason, normalizeReportReason } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { ApiError, notFound, unauthorized, validation } from "../http/errors.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { isUuid } from "../ids.js";
import { userExists } from "../users/queries.js";
import { createReport, type ReportTarget } from "./queries.js";

export function reportRoute(app: App, ctx: AppContext): void {
  app.post("/reports", {
    schema: {
      tags: ["safety"], summary: "Report a post or a user to the operators (a copy of the post's content is kept)",
      body: ReportBody, response: { 201: ReportResponse, ...errorResponses(400, 401, 404, 413, 415) },
    },
  }, async (request, reply) => {
    const { post_id, user_id, reason } = request.body;
    if ((post_id === undefined) === (user_id === undefined)) {
      throw validation(post_id === undefined ? "post_id" : "user_id", "Give exactly one of post_id and user_id");
    }
    const [field, id] = post_id !== undefined ? ["post_id", post_id] as const : ["user_id", user_id!] as const;
    if (!isUuid(id)) throw validation(field, `${field} must be a UUID`);
    const bad = checkReportReason(reason);
    if (bad) throw new ApiError(bad.code, bad.message, bad.field);
    const target: ReportTarget = field === "post_id" ? { postId: id.toLowerCase() } : { userId: id.toLowerCase() };
    // A deleted account's token may still be valid for a few minutes: its report has no reporter to keep.
    const caller = request.caller!.userId;
    if (!await userExists(ctx.db, caller)) throw unauthorized("This account no longer exists");
    const report = await createReport(ctx.db, caller, target, normalizeReportReason(reason));
    if (!report) throw notFound(field === "post_id" ? "Post not found" : "User not found");
    return reply.code(201).send({ report });
  });
}
