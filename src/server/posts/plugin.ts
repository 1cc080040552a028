// /api/v1/posts, authenticated.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { createPostRoute } from "./create.js";
import { deletePostRoute } from "./delete.js";
import { getPostRoute } from "./get.js";

export const postsPlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  createPostRoute(app, ctx);
  getPostRoute(app, ctx);
  deletePostRoute(app, ctx);
};
