// /api/v1/notifications, authenticated.
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import { listNotificationsRoute } from "./list.js";
import { markReadRoute } from "./read.js";

export const notificationsPlugin: FeaturePlugin = async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  listNotificationsRoute(app, ctx);
  markReadRoute(app, ctx);
};
