import type { FastifyInstance } from "fastify";
import { requestPath } from "./request-path.js";

/** nosniff on every answer; no-store on API answers but the OpenAPI document, which may be cached. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply) => {
    reply.header("X-Content-Type-Options", "nosniff");
    const path = requestPath(request);
    if (path.startsWith("/api/v1/") && path !== "/api/v1/openapi.json") {
      reply.header("Cache-Control", "no-store");
    }
  });
}
