// The composition root: everything a request handler needs, built once from the config.
// Tests build it with overrides instead of reaching for a DI framework.
import type { Kysely } from "kysely";
import type { Config } from "./config.js";
import { KnownUsers, USER_DELETED_CHANNEL } from "./auth/known-users.js";
import { AccessTokens } from "./auth/tokens.js";
import type { DatabaseHandle } from "./db/database.js";
import type { Database } from "./db/schema.js";
import { TokenBuckets, type RateLimiter } from "./http/rate-limit.js";
import { ServerMetrics } from "./metrics/metrics.js";
import { RedisTokenBuckets } from "./http/redis-rate-limit.js";
import { createLogger } from "./log.js";
import { PAGE_LIMIT_MAX } from "../api/index.js";
import { hydratedTimelinePage } from "./timeline/queries.js";
import { NarrowReaders } from "./social/feeds.js";
import { ReaderFlagsCache } from "./timeline/reader-flags.js";
import { FirstPageCache } from "./timeline/first-page-cache.js";
import { SharedPages } from "./timeline/shared-pages.js";
import { postgresTimelineVersions, sharedVersions, singleProcessTimeline } from "./timeline/versions.js";

export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  db: Kysely<Database>;
  accessTokens: AccessTokens;
  /** Users known to exist, kept true by the database's deletion notifications. */
  knownUsers: KnownUsers;
  /** null when rate limiting is off. */
  rateLimiter: RateLimiter | null;
  firstPage: FirstPageCache;
  /** The timeline's pages below the first, shared between readers with the same freshness. */
  timelinePages: SharedPages;
  /** Counted always; served only with NIOTEBOOK_METRICS_PORT (and requests counted only then). */
  metrics: ServerMetrics;
  /** Call after a post is created or deleted, before answering. */
  timelineChanged(): Promise<void>;
  /** Readers' flags on the shared timeline pages (checked against other processes' likes when there are any). */
  readerFlags: ReaderFlagsCache;
  /** Home readers the time-ordered window missed lately: read per author for a while (social/feeds.ts). */
  narrowReaders: NarrowReaders;
}

/** What a test may replace in the context. */
export interface AppContextOverrides {
  metrics?: ServerMetrics;
}

export function createAppContext(config: Config, database: DatabaseHandle, jwtSecret: string, overrides: AppContextOverrides = {}): AppContext {
  // Several processes may write only with workers on PostgreSQL; one process needs no version.
  const versions = database.kind === "postgres" && config.workers > 1 ? postgresTimelineVersions(database.db) : singleProcessTimeline;
  // Cached with the shared social fields (counts lag by at most the cache's age, 1 s) and both
  // flags false; the reader's flags are patched in per request (timeline/get.ts).
  const firstPage = new FirstPageCache(
    () => hydratedTimelinePage(database.db, undefined, PAGE_LIMIT_MAX),
    Date.now, versions.current,
  );
  firstPage.enabled = config.timelineCache;
  const timelinePages = new SharedPages(
    (start, limit) => hydratedTimelinePage(database.db, start, limit),
    Date.now, versions.current,
  );
  timelinePages.enabled = config.timelineCache;
  const knownUsers = new KnownUsers();
  database.listen(USER_DELETED_CHANNEL, {
    notified: (userId) => {
      knownUsers.deleted(userId);
      // A deleted or (un)suspended author's posts leave or return to the timeline's pages.
      firstPage.invalidate();
      timelinePages.invalidate();
    },
    hearing: (hearing) => knownUsers.setHearing(hearing),
  });
  return {
    config,
    database,
    db: database.db,
    accessTokens: new AccessTokens(jwtSecret, config.accessTokenTtlMs),
    knownUsers,
    rateLimiter: createRateLimiter(config),
    firstPage,
    timelinePages,
    metrics: overrides.metrics ?? new ServerMetrics({ pool: database.poolStats, firstPage: () => firstPage.lookups }),
    readerFlags: new ReaderFlagsCache(database.db, versions.current && (async (since) => (await sharedVersions(database.db)(since)).flags)),
    narrowReaders: new NarrowReaders(),
    async timelineChanged() {
      await versions.bump();
      firstPage.invalidate();
      timelinePages.invalidate();
    },
  };
}

function createRateLimiter(config: Config): RateLimiter | null {
  if (config.rateLimitMultiplier === 0) return null;
  if (!config.redisUrl) return new TokenBuckets(config.rateLimitMultiplier);
  let lastLogMs = 0;
  const log = createLogger(config);
  return new RedisTokenBuckets(config.redisUrl, config.rateLimitMultiplier, (error) => {
    // At most one line a minute while Redis is away.
    if (Date.now() - lastLogMs < 60_000) return;
    lastLogMs = Date.now();
    log.warn({ code: (error as NodeJS.ErrnoException).code }, "rate limiter: Redis unavailable; letting requests through");
  });
}
