// /api/v1/timeline (global) and /api/v1/timeline/home, authenticated.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { timelineRoute } from "./get.js";
import { homeRoute } from "./home.js";

export const timelinePlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  timelineRoute(app, ctx);
  homeRoute(app, ctx);
};
