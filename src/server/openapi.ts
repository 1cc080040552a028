import type { App } from "./http/types.js";

/** The OpenAPI 3.1 document, generated from the same schemas the routes validate with. */
export function openApiRoute(app: App): void {
  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
