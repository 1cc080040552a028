// /api/v1/stream, authenticated. The hub is the process's (built in app.ts).
import { requireAuthentication } from "../auth/authenticate.js";
import type { FeaturePlugin } from "../http/plugin.js";
import type { LiveHub } from "./hub.js";
import { streamRoute } from "./stream-route.js";

export const streamPlugin = (hub: LiveHub): FeaturePlugin => async (app, { ctx }) => {
  requireAuthentication(app, ctx);
  streamRoute(app, hub);
};
