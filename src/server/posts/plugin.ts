// /api/v1/posts, authenticated.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { createPostRoute } from "./create.js";
import { deletePostRoute } from "./delete.js";
import { engagerRoutes } from "./engagers.js";
import { getPostRoute } from "./get.js";
import { likeRoutes } from "./like.js";
import { threadRoute } from "./thread.js";

export const postsPlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  createPostRoute(app, ctx);
  getPostRoute(app, ctx);
  deletePostRoute(app, ctx);
  threadRoute(app, ctx);
  likeRoutes(app, ctx);
  engagerRoutes(app, ctx);
};
