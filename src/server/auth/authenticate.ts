// The preHandler for authenticated routes: a valid HS256 access token of a user who still
// exists, or 401.
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../context.js";
import { unauthorized } from "../http/errors.js";
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
