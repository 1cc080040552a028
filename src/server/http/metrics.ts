// Counts every request a route or the not-found handler answered, by its route's template
// (request.routeOptions.url, as the request log does), never by the path asked for.
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";

/** Records each answered request in ctx.metrics; nothing when metrics are off. */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  if (ctx.config.metricsPort === undefined) return;
  const metrics = ctx.metrics;
  app.addHook("onResponse", async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });
}
