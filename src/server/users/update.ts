import { IdParams, UpdateProfileBody, UserResponse, checkBio, checkDisplayName, firstError, normalizeBio, normalizeDisplayName } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { ApiError, forbidden, notFound } from "../http/errors.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { updateUser } from "./queries.js";
import { resolveUser } from "./resolve.js";

export function updateProfileRoute(app: App, ctx: AppContext): void {
  app.patch("/:id", {
    schema: {
      tags: ["users"], summary: "Edit your own profile (path: me, or your own id or @username)",
      params: IdParams, body: UpdateProfileBody, response: { 200: UserResponse, ...errorResponses(400, 401, 403, 404, 413, 415) },
    },
  }, async (request) => {
    const caller = request.caller!;
    const target = await resolveUser(ctx, caller, request.params.id);
    if (target.id !== caller.userId) throw forbidden("You can only edit your own profile");
    const { display_name, bio } = request.body;
    const bad = firstError(
      () => (display_name === undefined ? null : checkDisplayName(display_name)),
      () => (bio === undefined ? null : checkBio(bio)),
    );
    if (bad) throw new ApiError(bad.code, bad.message, bad.field);
    const patch = {
      ...(display_name === undefined ? {} : { display_name: normalizeDisplayName(display_name) }),
      ...(bio === undefined ? {} : { bio: normalizeBio(bio) }),
    };
    if (Object.keys(patch).length === 0) return { user: target };
    const user = await updateUser(ctx.db, caller.userId, patch);
    if (!user) throw notFound("User not found");
    // Posts on the cached first page carry their author's profile: the editor's next request
    // must show the new one, as it would a new post.
    await ctx.timelineChanged();
    return { user };
  });
}
