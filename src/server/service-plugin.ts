// The service's own routes, outside any feature and unauthenticated: /health and the OpenAPI document.
import { healthRoute } from "./health.js";
import type { FeaturePlugin } from "./http/plugin.js";
import { openApiRoute } from "./openapi.js";

export const servicePlugin: FeaturePlugin = async (app, { ctx }) => {
  healthRoute(app, ctx);
  openApiRoute(app);
};
