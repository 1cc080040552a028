// The composition root: everything a request handler needs, built once from the config.
// Tests build it with overrides instead of reaching for a DI framework.
import type { Kysely } from "kysely";
import type { Config } from "./config.js";
import { AccessTokens } from "./auth/tokens.js";
import type { DatabaseHandle } from "./db/database.js";
import type { Database } from "./db/schema.js";
import { TokenBuckets } from "./http/rate-limit.js";
import { PAGE_LIMIT_MAX } from "../api/index.js";
import { timelinePage } from "./posts/queries.js";
import { FirstPageCache } from "./timeline/first-page-cache.js";
import { postgresTimelineVersions, singleProcessTimeline } from "./timeline/versions.js";

export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  db: Kysely<Database>;
  accessTokens: AccessTokens;
  /** null when rate limiting is off. */
  rateLimiter: TokenBuckets | null;
  firstPage: FirstPageCache;
  /** Call after a post is created or deleted, before answering. */
  timelineChanged(): Promise<void>;
}

export function createAppContext(config: Config, database: DatabaseHandle, jwtSecret: string): AppContext {
  const versions = database.kind === "postgres" ? postgresTimelineVersions(database.db) : singleProcessTimeline;
  const firstPage = new FirstPageCache(() => timelinePage(database.db, undefined, PAGE_LIMIT_MAX), Date.now, versions.current);
  firstPage.enabled = config.timelineCache;
  return {
    config,
    database,
    db: database.db,
    accessTokens: new AccessTokens(jwtSecret, config.accessTokenTtlMs),
    rateLimiter: config.rateLimitMultiplier > 0 ? new TokenBuckets(config.rateLimitMultiplier) : null,
    firstPage,
    async timelineChanged() {
      await versions.bump();
      firstPage.invalidate();
    },
  };
}
