// /api/v1/search, authenticated.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { searchRoutes } from "./routes.js";

export const searchPlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  searchRoutes(app, ctx);
};
