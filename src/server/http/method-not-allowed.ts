// Unknown paths are 404; a known path asked with a method it does not serve is 405 with an
// Allow header. Fastify knows only the first, so we keep a table of the routes it registers.
import type { FastifyInstance } from "fastify";
import { ApiError, notFound } from "./errors.js";
import { decodedPath } from "./request-path.js";

export function registerNotFound(app: FastifyInstance): void {
  const routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];
  app.addHook("onRoute", (route) => {
    if (route.url.includes("*")) return;
    // Exact, as the router matches: `/api/v1/timeline/` is not the timeline (404, not 405).
    const pattern = new RegExp(`^${route.url.replace(/:[^/]+/g, "[^/]+")}$`);
    let entry = routes.find((r) => r.pattern.source === pattern.source);
    if (!entry) routes.push((entry = { pattern, methods: new Set() }));
    for (const method of [route.method].flat()) entry.methods.add(method);
  });
  app.setNotFoundHandler((request) => {
    const path = request.url.split("?", 1)[0]!;
    // Every route the path matches: /users/me is both /users/:id (GET, PATCH) and itself (DELETE).
    const known = routes.filter((r) => r.pattern.test(decodedPath(path)));
    if (known.length === 0) throw notFound(`No such endpoint: ${request.method} ${path}`);
    const allow = [...new Set(known.flatMap((r) => [...r.methods]))].sort().join(", ");
    throw new ApiError("method_not_allowed", `${request.method} is not allowed here; use ${allow}`, undefined, { Allow: allow });
  });
}
