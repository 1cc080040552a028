import type { FastifyInstance } from "fastify";
import { ApiError } from "./errors.js";
import { clientKey, limitCategory, type RateLimiter } from "./rate-limit.js";
import { requestPath } from "./request-path.js";

/** Takes a token from the client's bucket of the request's category before routing: 429 when empty. */
export function registerRateLimit(app: FastifyInstance, limiter: RateLimiter | null): void {
  if (!limiter) return;
  app.addHook("onRequest", async (request) => {
    const category = limitCategory(request.method, requestPath(request));
    if (!category) return;
    const result = await limiter.take(clientKey(request.ip), category);
    if (!result.ok) {
      const wait = String(result.retryAfterSeconds);
      throw new ApiError("rate_limited", `Too many requests; try again in ${wait}s`, undefined, { "Retry-After": wait });
    }
  });
  app.addHook("onClose", async () => limiter.close?.());
}
