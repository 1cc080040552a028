// The same token buckets, kept in Redis so that the limits hold for the whole service when
// several processes serve it. One Lua script per request refills and takes atomically, on
// Redis's own clock. If Redis cannot answer within 250 ms the request is let through (and
// logged): an outage of the limiter must not become an outage of the API. After such a
// timeout, for two seconds, requests do not ask Redis at all — a Redis gone silent would
// otherwise add 250 ms to every request — and the next one after that tries it again, on a
// new connection.
// ioredis is loaded only when Redis is configured (it is ~10 MB of resident code and data
// otherwise unused).
import type { Redis } from "ioredis";
import { budget, type LimitCategory, type RateLimiter, type TakeResult } from "./rate-limit.js";

const TAKE = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or capacity
local ts = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * per_ms)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / per_ms / 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return wait
`;

/** How long requests skip Redis (and are let through) after it failed to answer. */
const BACKOFF_MS = 2_000;
/** A failure slower than this (the 250 ms command timeout) means Redis has gone silent. */
const SLOW_FAILURE_MS = 100;

export class RedisTokenBuckets implements RateLimiter {
  private readonly redis: Promise<Redis>;
  private skipUntilMs = 0;

  constructor(url: string, private readonly multiplier: number, private readonly onError: (error: Error) => void) {
    this.redis = import("ioredis").then(({ Redis }) => {
      const redis = new Redis(url, { enableOfflineQueue: false, commandTimeout: 250, maxRetriesPerRequest: 0, lazyConnect: false });
      redis.on("error", (error: Error) => onError(error));
      return redis;
    });
  }

  async take(client: string, category: LimitCategory): Promise<TakeResult> {
    const startedMs = Date.now();
    if (startedMs < this.skipUntilMs) return { ok: true };
    const { capacity, perMs } = budget(category, this.multiplier);
    try {
      const wait = (await (await this.redis).eval(TAKE, 1, `niotebook:rl:${category}:${client}`, capacity, perMs)) as number;
      return wait > 0 ? { ok: false, retryAfterSeconds: Math.max(1, wait) } : { ok: true };
    } catch (error) {
      // Only a failure that cost time backs off; one that failed at once (not connected yet,
      // connection refused) costs nothing, and the next request may find Redis back.
      if (Date.now() - startedMs >= SLOW_FAILURE_MS) {
        this.skipUntilMs = Date.now() + BACKOFF_MS;
        // A connection that swallows commands (a peer gone after a fail-over, a NAT that forgot
        // it) is never closed by ioredis itself: drop it, so the next try is on a new one.
        (await this.redis).disconnect(true);
      }
      this.onError(error as Error);
      return { ok: true };
    }
  }

  async close(): Promise<void> {
    (await this.redis).disconnect();
  }
}
