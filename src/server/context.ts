// The composition root: everything a request handler needs, built once from the config.
// Tests build it with overrides instead of reaching for a DI framework.
import type { Kysely } from "kysely";
import type { Config } from "./config.js";
import { AccessTokens } from "./auth/tokens.js";
import type { DatabaseHandle } from "./db/database.js";
import type { Database } from "./db/schema.js";
import { TokenBuckets } from "./http/rate-limit.js";

export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  db: Kysely<Database>;
  accessTokens: AccessTokens;
  /** null when rate limiting is off. */
  rateLimiter: TokenBuckets | null;
}

export function createAppContext(config: Config, database: DatabaseHandle, jwtSecret: string): AppContext {
  return {
    config,
    database,
    db: database.db,
    accessTokens: new AccessTokens(jwtSecret, config.accessTokenTtlMs),
    rateLimiter: config.rateLimitMultiplier > 0 ? new TokenBuckets(config.rateLimitMultiplier) : null,
  };
}
