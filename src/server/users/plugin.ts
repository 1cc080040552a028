// /api/v1/users, authenticated.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { followListRoutes } from "./follow-lists.js";
import { followRoutes } from "./follow.js";
import { getUserRoute } from "./get.js";
import { userPostsRoute } from "./posts.js";
import { updateProfileRoute } from "./update.js";

export const usersPlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  getUserRoute(app, ctx);
  userPostsRoute(app, ctx);
  updateProfileRoute(app, ctx);
  followRoutes(app, ctx);
  followListRoutes(app, ctx);
};
