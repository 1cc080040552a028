// Authenticated routes: a valid HS256 access token of a user who still exists, or 401.
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../context.js";
import { unauthorized } from "../http/errors.js";
import { bearer } from "../http/responses.js";
import type { App } from "../http/types.js";
import { userExists } from "../users/queries.js";

export function authenticate(ctx: AppContext) {
  return async function authenticateRequest(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (!match) throw unauthorized(header ? "Malformed Authorization header" : "Authentication required");
    const claims = ctx.accessTokens.verify(match[1]!);
    if (!ctx.knownUsers.has(claims.userId)) {
      const epoch = ctx.knownUsers.lookupStarted();
      if (!(await userExists(ctx.db, claims.userId))) throw unauthorized("This account no longer exists");
      ctx.knownUsers.remember(claims.userId, epoch);
    }
    request.caller = claims;
  };
}

/**
 * Makes every route of this plugin's scope authenticated: one onRequest hook, and the bearer
 * scheme in each route's OpenAPI entry. Call it before the scope's routes.
 */
export function requireAuthentication(app: App, ctx: AppContext): void {
  app.addHook("onRequest", authenticate(ctx));
  app.addHook("onRoute", (route) => {
    route.schema = { ...route.schema, security: bearer };
  });
}
