// POST|DELETE /users/{id}/follow: idempotent; 200 {user, relationship} with the new counts.
import { FollowResponse, IdParams } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { follow, unfollow } from "../social/follows.js";
import { findUserById, findUserByUsername } from "./queries.js";
import { parseUserRef } from "./resolve.js";

export function followRoutes(app: App, ctx: AppContext): void {
  for (const method of ["post", "delete"] as const) {
    app[method]("/:id/follow", {
      schema: {
        tags: ["users"], summary: method === "post" ? "Follow a user (idempotent)" : "Stop following a user (idempotent)",
        params: IdParams, response: { 200: FollowResponse, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request) => {
      const caller = request.caller!.userId;
      const ref = parseUserRef(request.caller!, request.params.id);
      if (!ref) throw notFound("User not found");
      // An @username is resolved first; the write itself refuses an id that names nobody.
      const id = "id" in ref ? ref.id : (await findUserByUsername(ctx.db, ref.username))?.id;
      if (id === undefined) throw notFound("User not found");
      const relationship = method === "post" ? await follow(ctx.db, caller, id, ctx.database.newTimestamp()) : await unfollow(ctx.db, caller, id);
      const user = relationship && await findUserById(ctx.db, id);
      if (!relationship || !user) throw notFound("User not found");
      return { user, relationship };
    });
  }
}
