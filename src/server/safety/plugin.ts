// Blocks, mutes and reports (social.md), authenticated; registered at /api/v1.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { safetyListRoutes } from "./lists.js";
import { relationRoutes } from "./relations.js";
import { reportRoute } from "./reports.js";

export const safetyPlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  relationRoutes(app, ctx);
  safetyListRoutes(app, ctx);
  reportRoute(app, ctx);
};
