import { IdParams } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { forbidden, notFound } from "../http/errors.js";
import { errorResponses, noContent } from "../http/responses.js";
import type { App } from "../http/types.js";
import { isUuid } from "../ids.js";
import { deletePostBy } from "./queries.js";

export function deletePostRoute(app: App, ctx: AppContext): void {
  app.delete("/:id", {
    schema: {
      tags: ["posts"], summary: "Delete your own post (ext)",
      params: IdParams, response: { 204: noContent, ...errorResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    if (!isUuid(request.params.id)) throw notFound("Post not found");
    const outcome = await deletePostBy(ctx.db, request.params.id.toLowerCase(), request.caller!.userId);
    if (outcome === "missing") throw notFound("Post not found");
    if (outcome === "forbidden") throw forbidden("You can only delete your own posts");
    await ctx.timelineChanged();
    return reply.code(204).send(null);
  });
}
