// /api/v1/auth: the only API routes that take no access token.
import type { FeaturePlugin } from "../http/plugin.js";
import { loginRoute } from "./login.js";
import { logoutRoute } from "./logout.js";
import { refreshRoute } from "./refresh.js";
import { registerRoute } from "./register.js";

export const authPlugin: FeaturePlugin = async (app, { ctx }) => {
  registerRoute(app, ctx);
  loginRoute(app, ctx);
  refreshRoute(app, ctx);
  logoutRoute(app, ctx);
};
