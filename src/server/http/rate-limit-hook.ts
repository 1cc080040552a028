import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { ApiError } from "./errors.js";
import { clientKey, limitCategory } from "./rate-limit.js";
import { requestPath } from "./request-path.js";

/** Takes a token from the client's bucket of the request's category before routing: 429 when empty. */
export function registerRateLimit(app: FastifyInstance, ctx: Pick<AppContext, "rateLimiter">): void {
  app.addHook("onRequest", async (request) => {
    // Read per request, not captured: the context's limiter may be swapped (tests stop its clock).
    const limiter = ctx.rateLimiter;
    if (!limiter) return;
    const category = limitCategory(request.method, requestPath(request));
    if (!category) return;
    const result = await limiter.take(clientKey(request.ip), category);
    if (!result.ok) {
      const wait = String(result.retryAfterSeconds);
      throw new ApiError("rate_limited", `Too many requests; try again in ${wait}s`, undefined, { "Retry-After": wait });
    }
  });
  app.addHook("onClose", async () => ctx.rateLimiter?.close?.());
}
