import { AuthResponse, LoginBody } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { login } from "./service.js";

export function loginRoute(app: App, ctx: AppContext): void {
  app.post("/login", {
    schema: { tags: ["auth"], summary: "Log in with e-mail and password", body: LoginBody, response: { 200: AuthResponse, ...errorResponses(400, 401, 403, 413, 415) } },
  }, async (request) => login(ctx, request.body));
}
