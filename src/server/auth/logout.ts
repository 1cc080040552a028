import { RefreshBody } from "../../api/index.js";
import type { AppContext } from "../context.js";
import { errorResponses, noContent } from "../http/responses.js";
import type { App } from "../http/types.js";
import { logout } from "./service.js";

export function logoutRoute(app: App, ctx: AppContext): void {
  app.post("/logout", {
    schema: {
      tags: ["auth"], summary: "Revoke a session's refresh token (ext)",
      body: RefreshBody, response: { 204: noContent, ...errorResponses(400, 413, 415) },
    },
  }, async (request, reply) => {
    await logout(ctx, request.body.refresh_token);
    return reply.code(204).send(null);
  });
}
