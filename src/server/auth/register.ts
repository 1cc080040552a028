import { AuthResponse, RegisterBody } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { register } from "./service.js";

export function registerRoute(app: App, ctx: AppContext): void {
  app.post("/register", {
    schema: { tags: ["auth"], summary: "Create an account", body: RegisterBody, response: { 201: AuthResponse, ...errorResponses(400, 403, 409, 413, 415) } },
  }, async (request, reply) => reply.code(201).send(await register(ctx, request.body)));
}
