// /api/v1/tags, authenticated.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { tagPostsRoute } from "./posts.js";

export const tagsPlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  tagPostsRoute(app, ctx);
};
