// /api/v1/timeline, authenticated.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { timelineRoute } from "./get.js";

export const timelinePlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  timelineRoute(app, ctx);
};
