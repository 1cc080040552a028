// Authenticated routes: a valid HS256 access token of a user who still exists, issued in the
// user's current token epoch (else 401: revoked), of a user not suspended (else 403 suspended).
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../context.js";
import { suspended, unauthorized } from "../http/errors.js";
import { bearer } from "../http/responses.js";
import type { App } from "../http/types.js";
import { findUserAccess } from "../users/queries.js";

export function authenticate(ctx: AppContext) {
  return async function authenticateRequest(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (!match) throw unauthorized(header ? "Malformed Authorization header" : "Authentication required");
    const claims = ctx.accessTokens.verify(match[1]!);
    let access = ctx.knownUsers.get(claims.userId);
    if (!access) {
      const epoch = ctx.knownUsers.lookupStarted();
      access = await findUserAccess(ctx.db, claims.userId);
      if (!access) throw unauthorized("This account no longer exists");
      ctx.knownUsers.remember(claims.userId, epoch, access);
    }
    if (claims.tokenEpoch !== access.tokenEpoch) throw unauthorized("This session has been signed out; log in again");
    if (access.suspended) throw suspended();
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
