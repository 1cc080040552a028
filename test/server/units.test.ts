// Pure units: configuration, cursors, limits, token buckets, client keys.
import { describe, expect, it, vi } from "vitest";
import { microsecondClock } from "../../src/server/db/microsecond-clock.js";
import { KnownUsers } from "../../src/server/auth/known-users.js";
import { ConfigError, loadConfig, parseDuration } from "../../src/server/config.js";
import { restartDelayMs } from "../../src/server/workers.js";
import { TokenBuckets, clientKey, limitCategory } from "../../src/server/http/rate-limit.js";
import { encodeCursor, parseLimit, parseTimestamp, parseV1PageRequest, timeIdKeyset, toPostPage } from "../../src/server/db/pagination.js";

const parseCursor = (cursor: string | undefined) => parseV1PageRequest({ cursor }, "timeline");
import { AccessTokens } from "../../src/server/auth/tokens.js";
import { sharedCheck } from "../../src/server/health.js";
import { createHmac } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataDirInUseError, lockDataDir } from "../../src/server/db/data-dir.js";

describe("configuration", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({ HOME: "/home/u" });
    expect(c).toMatchObject({
      host: "127.0.0.1", port: 8080, dbUrl: undefined, dataDir: "/home/u/.local/share/niotebook",
      accessTokenTtlMs: 86_400_000, refreshTokenTtlMs: 7 * 86_400_000, refreshReuseGraceMs: 30_000,
      rateLimitMultiplier: 1, trustProxy: [], corsOrigins: [], logLevel: "info", logFormat: "auto",
    });
    expect(loadConfig({ XDG_DATA_HOME: "/x" }).dataDir).toBe("/x/niotebook");
  });

  it("parses durations, multipliers and lists", () => {
    expect(parseDuration("X", "3s")).toBe(3000);
    expect(parseDuration("X", "15m")).toBe(900_000);
    expect(parseDuration("X", "24h")).toBe(86_400_000);
    expect(parseDuration("X", "7d")).toBe(604_800_000);
    expect(parseDuration("X", "250ms")).toBe(250);
    for (const bad of ["", "5", "1w", "-1s", "0s", "1.5h", "s"]) expect(() => parseDuration("X", bad)).toThrow(ConfigError);
    expect(loadConfig({ NIOTEBOOK_RATE_LIMIT: "off" }).rateLimitMultiplier).toBe(0);
    expect(loadConfig({ NIOTEBOOK_RATE_LIMIT: "x1000" }).rateLimitMultiplier).toBe(1000);
    expect(() => loadConfig({ NIOTEBOOK_RATE_LIMIT: "x0" })).toThrow(ConfigError);
    expect(loadConfig({ NIOTEBOOK_TRUST_PROXY: "10.0.0.1, 192.168.0.0/16" }).trustProxy).toEqual(["10.0.0.1", "192.168.0.0/16"]);
    expect(() => loadConfig({ NIOTEBOOK_PORT: "70000" })).toThrow(/NIOTEBOOK_PORT/);
    expect(() => loadConfig({ NIOTEBOOK_LOG_LEVEL: "loud" })).toThrow(/NIOTEBOOK_LOG_LEVEL/);
    expect(() => loadConfig({ NIOTEBOOK_LOG_FORMAT: "fancy" })).toThrow(/NIOTEBOOK_LOG_FORMAT must be json or pretty/);
    expect(loadConfig({ NIOTEBOOK_LOG_FORMAT: "PRETTY" }).logFormat).toBe("pretty");
    expect(() => loadConfig({ NIOTEBOOK_DB_URL: "mysql://x", NIOTEBOOK_JWT_SECRET: "x".repeat(32) })).toThrow(/postgres/);
    // A Redis that cannot be reached is waited for (limits fail open meanwhile); one that cannot be a URL is a mistake.
    for (const bad of ["not-a-url", "127.0.0.1:6379", "http://127.0.0.1:6379", "redis://"]) {
      expect(() => loadConfig({ NIOTEBOOK_REDIS_URL: bad }), bad).toThrow(/NIOTEBOOK_REDIS_URL/);
    }
    expect(loadConfig({ NIOTEBOOK_REDIS_URL: "rediss://cache.example:6380/2" }).redisUrl).toBe("rediss://cache.example:6380/2");
    expect(loadConfig({ NIOTEBOOK_STOP_WITH_PARENT: "4242" }).stopWithParent).toBe(4242);
    for (const bad of ["0", "-1", "pid", "12x"]) expect(() => loadConfig({ NIOTEBOOK_STOP_WITH_PARENT: bad }), bad).toThrow(/NIOTEBOOK_STOP_WITH_PARENT/);
    const db = { NIOTEBOOK_DB_URL: "postgres://h/db", NIOTEBOOK_JWT_SECRET: "x".repeat(32), NIOTEBOOK_RATE_LIMIT: "off" };
    expect(() => loadConfig({ ...db, NIOTEBOOK_WORKERS: "2", NIOTEBOOK_STOP_WITH_PARENT: "4242" })).toThrow(/single server process/);
  });

  it("requires a 32-byte secret with a database URL", () => {
    expect(() => loadConfig({ NIOTEBOOK_DB_URL: "postgres://h/db" })).toThrow(/NIOTEBOOK_JWT_SECRET is required/);
    expect(() => loadConfig({ NIOTEBOOK_JWT_SECRET: "x".repeat(31) })).toThrow(/32 bytes/);
    expect(loadConfig({ NIOTEBOOK_DB_URL: "postgres://h/db", NIOTEBOOK_JWT_SECRET: "x".repeat(32) }).jwtSecret).toHaveLength(32);
  });
});

describe("cursors and limits", () => {
  it("round-trips opaque cursors", () => {
    const id = "0d1e2f30-4a5b-4c6d-8e7f-901234567890";
    const cursor = encodeCursor("timeline", timeIdKeyset("posts.created_at", "posts.id"), { createdAt: "2026-02-15T22:00:00.123456Z", id });
    expect(parseCursor(cursor).after).toEqual({ createdAt: "2026-02-15T22:00:00.123456Z", id });
  });

  it("reads RFC 3339 timestamps into UTC, keeping microseconds", () => {
    expect(parseTimestamp("2026-02-15T22:00:00Z")).toEqual({ value: "2026-02-15T22:00:00.000000Z", truncated: false });
    expect(parseTimestamp("2026-02-15t22:00:00.1z")).toEqual({ value: "2026-02-15T22:00:00.100000Z", truncated: false });
    expect(parseTimestamp("2026-02-15T22:00:00.1234560+05:30")).toEqual({ value: "2026-02-15T16:30:00.123456Z", truncated: false });
    // Offsets PostgreSQL itself refuses (beyond ±15:59), across a month's and a leap day's end.
    expect(parseTimestamp("2026-03-01T10:00:00.5+16:00")?.value).toBe("2026-02-28T18:00:00.500000Z");
    expect(parseTimestamp("2024-02-28T23:59:59-23:59")?.value).toBe("2024-02-29T23:58:59.000000Z");
    expect(parseTimestamp("0099-03-01T00:00:00Z")?.value).toBe("0099-03-01T00:00:00.000000Z");
    // Past the years a post can have: held at the ends, which keeps "before" meaning the same.
    expect(parseTimestamp("0001-01-01T00:00:00.25+01:00")?.value).toBe("0001-01-01T00:00:00.250000Z");
    expect(parseTimestamp("9999-12-31T23:59:59.999999-23:59")?.value).toBe("9999-12-31T23:59:59.999999Z");
    expect(parseTimestamp("2026-02-15T22:00:00.1234561Z")).toEqual({ value: "2026-02-15T22:00:00.123456Z", truncated: true });
    expect(parseTimestamp("2024-02-29T00:00:00Z")).not.toBeNull();
    for (const bad of ["2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z",
      "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00+24:00", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00"]) {
      expect(parseTimestamp(bad), bad).toBeNull();
    }
    expect(parseTimestamp("2000-02-29T00:00:00Z")).not.toBeNull();
    // Every field at and just past its bounds.
    for (const ok of ["0001-01-01T00:00:00Z", "2026-12-31T23:59:59Z", "2026-01-01T00:00:00+23:59", "2026-01-01T00:00:00-00:00"]) {
      expect(parseTimestamp(ok), ok).not.toBeNull();
    }
    for (const bad of ["0000-01-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z", "2026-01-00T00:00:00Z",
      "2026-01-32T00:00:00Z", "2026-01-01T00:00:00+00:60"]) {
      expect(parseTimestamp(bad), bad).toBeNull();
    }
    expect(parseCursor("2026-02-15T22:00:00.1234561Z")).toMatchObject({ after: undefined, before: { at: "2026-02-15T22:00:00.123456Z", inclusive: true } });
  });

  it("treats empty as absent and refuses the rest with the field named", () => {
    expect(parseCursor("")).toMatchObject({ after: undefined, before: undefined, limit: 50 });
    expect(parseCursor(undefined)).toMatchObject({ after: undefined, before: undefined, limit: 50 });
    expect(parseLimit("")).toBe(50);
    expect(parseLimit("1")).toBe(1);
    expect(parseLimit("100")).toBe(100);
    for (const bad of ["0", "101", "x", "-5", " 5", "5.0", "99999"]) expect(() => parseLimit(bad)).toThrow(/limit/);
    const tag = encodeCursor("timeline", timeIdKeyset("a", "b"), { createdAt: "", id: "" });
    const withTag = (key: string) => Buffer.from(`${Buffer.from(tag, "base64url").toString().slice(0, 8)}|${key}`).toString("base64url");
    for (const bad of ["x", "!!", withTag("2026-01-01T00:00:00.000000Z|not-a-uuid"),
      withTag("2026-01-01T00:00:00.0000001Z|0d1e2f30-4a5b-4c6d-8e7f-901234567890")]) {
      expect(() => parseCursor(bad)).toThrow(/cursor/);
    }
  });

  it("builds pages with an exact has_more and a cursor only when there is more", () => {
    const rows = [1, 2, 3].map((i) => ({ id: `0d1e2f30-4a5b-4c6d-8e7f-90123456789${i}`, created_at: `2026-01-0${i}T00:00:00.000000Z` }));
    const list = { list: "timeline" };
    expect(toPostPage(rows, { ...list, limit: 3 })).toEqual({ posts: rows, has_more: false, next_cursor: null });
    const page = toPostPage(rows, { ...list, limit: 2 });
    expect(page.has_more).toBe(true);
    expect(page.posts).toHaveLength(2);
    expect(parseCursor(page.next_cursor!).after).toEqual({ createdAt: rows[1]!.created_at, id: rows[1]!.id });
    expect(toPostPage([], { ...list, limit: 5 })).toEqual({ posts: [], has_more: false, next_cursor: null });
  });
});

describe("token buckets", () => {
  it("allows the burst, then refills at the rate, per client and category", () => {
    let now = 0;
    const buckets = new TokenBuckets(1, () => now);
    for (let i = 0; i < 5; i++) expect(buckets.take("a", "auth").ok).toBe(true);
    const refused = buckets.take("a", "auth");
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 6 });
    expect(buckets.take("b", "auth").ok).toBe(true);
    expect(buckets.take("a", "read").ok).toBe(true);
    now += 6_000;
    expect(buckets.take("a", "auth").ok).toBe(true);
    expect(buckets.take("a", "auth").ok).toBe(false);
    now += 10 * 60_000;
    for (let i = 0; i < 5; i++) expect(buckets.take("a", "auth").ok).toBe(true);
    expect(buckets.take("a", "auth").ok).toBe(false);
  });

  it("says how long to wait for the next token, and forgets only buckets that are full again", () => {
    let now = 0;
    const buckets = new TokenBuckets(1, () => now);
    for (let i = 0; i < 5; i++) buckets.take("w", "auth");
    now = 3_000; // half a token back (10 a minute)
    expect(buckets.take("w", "auth")).toEqual({ ok: false, retryAfterSeconds: 3 });
    for (let i = 0; i < 30; i++) buckets.take("full-later", "read");
    now = 59_000;
    for (let i = 0; i < 30; i++) buckets.take("busy", "read");
    now = 60_500; // the sweep runs: "full-later" has refilled, "busy" has 3 tokens back
    buckets.take("trigger", "read");
    expect(buckets.size).toBe(2); // "busy" and "trigger"
    for (let i = 0; i < 3; i++) expect(buckets.take("busy", "read").ok).toBe(true);
    expect(buckets.take("busy", "read").ok).toBe(false);
  });

  it("scales refill by the multiplier too", () => {
    let now = 0;
    const buckets = new TokenBuckets(10, () => now);
    for (let i = 0; i < 300; i++) buckets.take("m", "read");
    now = 1_000; // 120 × 10 a minute = 20 a second
    for (let i = 0; i < 20; i++) expect(buckets.take("m", "read").ok).toBe(true);
    expect(buckets.take("m", "read").ok).toBe(false);
  });

  it("scales every budget by the multiplier", () => {
    const buckets = new TokenBuckets(10, () => 0);
    for (let i = 0; i < 300; i++) expect(buckets.take("c", "read").ok).toBe(true);
    expect(buckets.take("c", "read").ok).toBe(false);
    for (let i = 0; i < 100; i++) expect(buckets.take("c", "write").ok).toBe(true);
    expect(buckets.take("c", "write").ok).toBe(false);
  });

  it("categorises routes as the contract's table says", () => {
    expect(limitCategory("POST", "/api/v1/auth/login")).toBe("auth");
    expect(limitCategory("POST", "/api/v1/auth/logout")).toBe("auth");
    expect(limitCategory("POST", "/api/v1/posts")).toBe("write");
    expect(limitCategory("DELETE", "/api/v1/posts/x")).toBe("write");
    expect(limitCategory("PATCH", "/api/v1/users/me")).toBe("write");
    expect(limitCategory("GET", "/api/v1/posts/x")).toBe("read");
    // social.md: every new POST/DELETE a write, every new GET a read.
    for (const path of ["/api/v1/posts/x/like", "/api/v1/posts/x/repost", "/api/v1/users/x/follow"]) {
      expect(limitCategory("POST", path), path).toBe("write");
      expect(limitCategory("DELETE", path), path).toBe("write");
    }
    for (const path of ["/api/v1/posts/x/thread", "/api/v1/posts/x/likes", "/api/v1/posts/x/reposts", "/api/v1/users/x/followers",
      "/api/v1/users/x/following", "/api/v1/timeline/home", "/api/v1/tags/x/posts"]) expect(limitCategory("GET", path), path).toBe("read");
    expect(limitCategory("GET", "/api/v1/timeline")).toBe("read");
    expect(limitCategory("GET", "/health")).toBeNull();
    expect(limitCategory("GET", "/api/v1/posts")).toBe("read");
    expect(limitCategory("POST", "/api/v1/timeline")).toBe("read");
    expect(limitCategory("GET", "/api/v1")).toBe("read");
    expect(limitCategory("PATCH", "/api/v1/posts/x")).toBe("read");
    expect(limitCategory("GET", "/api/v1x")).toBeNull();
  });

  it("keys IPv4 by address and IPv6 by /64", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("2001:db8:0:1::5")).toBe(clientKey("2001:0db8:0000:0001:ffff:ffff:ffff:ffff"));
    expect(clientKey("2001:db8:0:1::5")).not.toBe(clientKey("2001:db8:0:2::5"));
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });

  it("reads every spelling of an address: abbreviated, full, upper case, v4-mapped in hex, with a zone", () => {
    const key = clientKey("2001:db8:0:1:2:3:4:5");
    for (const ip of ["2001:DB8:0:1::", "2001:0db8:0000:0001:0000:0000:0000:0000", "2001:db8::1:aaaa:bbbb:cccc:dddd", "2001:db8:0:1::5%eth0"]) {
      expect(clientKey(ip), ip).toBe(key);
    }
    expect(key).toBe("2001:db8:0:1::/64");
    expect(clientKey("::").startsWith("0:0:0:0")).toBe(true);
    expect(clientKey("::ffff:cb00:7107")).toBe("203.0.113.7");
    expect(clientKey("::FFFF:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("2001:db8:0:1::5")).not.toBe(clientKey("2001:db8:1:1::5"));
    expect(clientKey("10.0.0.1")).not.toBe(clientKey("10.0.0.2"));
  });
});

describe("access tokens", () => {
  // Issued by the code before this one (jose's SignJWT) for this secret, user and time.
  const secret = "old-code-secret-0123456789-0123456789-abc";
  const userId = "0190a2b4-7c3d-7e8f-9a0b-1c2d3e4f5a6b";
  const iatMs = 1_796_000_000_000;
  const joseToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkFkYV9Mb3ZlbGFjZSIsInN1YiI6IjAxOTBhMmI0LTdjM2QtN2U4Zi05YTBiLTFjMmQzZTRmNWE2YiIsImlhdCI6MTc5NjAwMDAwMCwiZXhwIjoxNzk2MDAwOTAwfQ.XJ9JcT_s9HFG8LW-vUkxS5uH9034jwtFxsA8r7venpI";

  it("round-trip: what is issued verifies, with its claims", () => {
    const tokens = new AccessTokens("round-trip-secret-0123456789-0123456789", 900_000);
    const { token, expiresAt } = tokens.issue(userId, "Zoë_🎉");
    expect(tokens.verify(token)).toEqual({ userId, username: "Zoë_🎉", tokenEpoch: 0 });
    expect(expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/);
    expect(() => new AccessTokens("another-secret-0123456789-0123456789-xyz", 900_000).verify(token)).toThrow(/Invalid access token/);
  });

  it("verifies tokens the previous signing code issued, and issues the very same bytes", () => {
    const tokens = new AccessTokens(secret, 900_000, () => iatMs + 60_000);
    expect(tokens.verify(joseToken)).toEqual({ userId, username: "Ada_Lovelace", tokenEpoch: 0 });
    expect(tokens.issue(userId, "Ada_Lovelace", 0, iatMs).token).toBe(joseToken);
    const later = new AccessTokens(secret, 900_000, () => iatMs + 900_000);
    expect(() => later.verify(joseToken)).toThrow(/expired/);
    const [h, p, sig] = joseToken.split(".");
    const flipped = `${h}.${p}.${sig!.slice(0, -2)}${sig!.endsWith("A") ? "B" : "A"}${sig!.slice(-1)}`;
    expect(() => tokens.verify(flipped)).toThrow(/Invalid access token/);
  });

  it("a token verified before is still checked against the clock, and only its exact text is taken as verified", () => {
    let nowMs = iatMs + 60_000;
    const tokens = new AccessTokens(secret, 900_000, () => nowMs);
    expect(tokens.verify(joseToken)).toEqual({ userId, username: "Ada_Lovelace", tokenEpoch: 0 });
    expect(tokens.verify(joseToken)).toEqual({ userId, username: "Ada_Lovelace", tokenEpoch: 0 });
    const [h, p, sig] = joseToken.split(".");
    const flipped = `${h}.${p}.${sig!.slice(0, -2)}${sig!.endsWith("A") ? "B" : "A"}${sig!.slice(-1)}`;
    expect(() => tokens.verify(flipped)).toThrow(/Invalid access token/);
    nowMs = iatMs + 900_000;
    expect(() => tokens.verify(joseToken)).toThrow(/expired/);
    nowMs = iatMs + 60_000;
    expect(tokens.verify(joseToken).userId).toBe(userId);
    // Not before: refused until then, and every time, however often it was seen.
    const early = new AccessTokens(secret, 900_000, () => nowMs);
    const payload = Buffer.from(JSON.stringify({ username: "Ada_Lovelace", sub: userId, iat: iatMs / 1000, nbf: iatMs / 1000 + 120, exp: iatMs / 1000 + 900 })).toString("base64url");
    const signature = createHmac("sha256", secret).update(`${h}.${payload}`).digest("base64url");
    const notYet = `${h}.${payload}.${signature}`;
    expect(() => early.verify(notYet)).toThrow(/Invalid access token/);
    expect(() => early.verify(notYet)).toThrow(/Invalid access token/);
    nowMs = iatMs + 121_000;
    expect(early.verify(notYet).userId).toBe(userId);
  });
});

describe("database errors", () => {
  it("treats a connection that could not be opened or kept as unavailable (503), not a bug (500)", async () => {
    const { isDatabaseUnavailable } = await import("../../src/server/db/database.js");
    for (const message of ["timeout expired", "Connection terminated due to connection timeout", "Connection terminated unexpectedly",
      "timeout exceeded when trying to connect", "Query read timeout", "PGlite is closed"]) {
      expect(isDatabaseUnavailable(new Error(message)), message).toBe(true);
    }
    expect(isDatabaseUnavailable(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("syntax error at or near"))).toBe(false);
  });
});

describe("known users", () => {
  const id = "0b7e4a52-1d3c-4f6e-9a8b-2c4d6e8f0a1b";
  const other = "1c8f5b63-2e4d-4a7f-8b9c-3d5e7f9a1b2c";
  const ACCESS = { tokenEpoch: 0, suspended: false };

  it("answers nothing from memory until deletions are heard", () => {
    const known = new KnownUsers();
    known.remember(id, known.lookupStarted(), ACCESS);
    expect(known.has(id)).toBe(false);
    known.setHearing(true);
    known.remember(id, known.lookupStarted(), ACCESS);
    expect(known.has(id)).toBe(true);
  });

  it("forgets a deleted user, everyone on truncate, and everything when hearing stops", () => {
    const known = new KnownUsers();
    known.setHearing(true);
    for (const u of [id, other]) known.remember(u, known.lookupStarted(), ACCESS);
    known.deleted(id.toUpperCase());
    expect([known.has(id), known.has(other)]).toEqual([false, true]);
    known.deleted("");
    expect(known.has(other)).toBe(false);
    known.remember(other, known.lookupStarted(), ACCESS);
    known.setHearing(false);
    known.setHearing(true);
    expect(known.has(other)).toBe(false);
  });

  it("does not keep a lookup that a deletion overtook", () => {
    const known = new KnownUsers();
    known.setHearing(true);
    const epoch = known.lookupStarted();
    known.deleted(id); // the row went while the lookup was on its way back
    known.remember(id, epoch, ACCESS);
    expect(known.has(id)).toBe(false);
  });

  it("stays within its size, dropping the oldest", () => {
    const known = new KnownUsers(2);
    known.setHearing(true);
    for (const u of [id, other, "third"]) known.remember(u, known.lookupStarted(), ACCESS);
    expect([known.has(id), known.has(other), known.has("third")]).toEqual([false, true, true]);
  });
});

describe("replacing workers that die", () => {
  it("at once after one that ran a while; backing off from 0.25 s to 10 s while they keep dying at start", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([0, 250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });
});

describe("microsecondClock (the embedded database's post timestamps)", () => {
  it("counts microseconds from the wall clock, strictly increasing when the clock stands still, carrying into the next second", () => {
    let wall = Date.parse("2026-03-01T12:00:00.999Z"), mono = 5_000;
    const date = vi.spyOn(Date, "now").mockImplementation(() => wall);
    const perf = vi.spyOn(performance, "now").mockImplementation(() => mono);
    try {
      const clock = microsecondClock();
      mono += 0.000_25; // a quarter of a microsecond: not yet the next one
      expect(clock()).toBe("2026-03-01T12:00:00.999000Z");
      mono += 0.000_75;
      expect(clock()).toBe("2026-03-01T12:00:00.999001Z");
      // The clock stands still: each reading moves one microsecond past the last, into the next second.
      const stamps = Array.from({ length: 1000 }, () => clock());
      expect(stamps.at(-1)).toBe("2026-03-01T12:00:01.000001Z");
      expect(new Set(stamps).size).toBe(stamps.length);
      expect([...stamps].sort()).toEqual(stamps);
      // The wall clock is stepped an hour ahead (NTP): the next reading follows it.
      wall += 3_600_000;
      mono += 1;
      expect(clock()).toBe("2026-03-01T13:00:00.999000Z");
    } finally {
      date.mockRestore();
      perf.mockRestore();
    }
  });
});

describe("the /health database check", () => {
  it("runs once for all the requests that ask at the same time, and its answer serves for a while", async () => {
    let calls = 0;
    let clock = 0;
    const answers: Array<(ok: boolean) => void> = [];
    const check = sharedCheck(() => { calls++; return new Promise<boolean>((resolve) => answers.push(resolve)); }, 1_000, () => clock);
    const flood = Array.from({ length: 50 }, () => check());
    expect(calls).toBe(1);
    answers[0]!(true);
    expect(await Promise.all(flood)).toEqual(Array(50).fill(true));
    clock = 999;
    expect(await check()).toBe(true);
    expect(calls).toBe(1);
    clock = 1_000; // too old: asked again, and a failure is news as soon as it is known
    const again = check();
    expect(calls).toBe(2);
    answers[1]!(false);
    expect(await again).toBe(false);
  });
});

describe.skipIf(process.platform !== "linux")("the data folder's lock", () => {
  it("is held by a live owner, but a stale lock whose PID another process took since is taken over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "niotebook-lock-"));
    const other = spawn("sleep", ["30"]);
    try {
      const lock = lockDataDir(dir);
      const [pid, start] = readFileSync(join(dir, "niotebook.lock"), "utf8").trim().split(" ");
      expect(Number(pid)).toBe(process.pid);
      expect(start).toMatch(/^\d+$/);
      lock.release();
      // A live process with the recorded start time owns the folder...
      const otherStart = readFileSync(`/proc/${other.pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19];
      writeFileSync(join(dir, "niotebook.lock"), `${other.pid} ${otherStart}\n`);
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      // ...but the same PID with another start time is a reused PID after a crash: not the owner.
      writeFileSync(join(dir, "niotebook.lock"), `${other.pid} 1\n`);
      lockDataDir(dir).release();
    } finally {
      other.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is not held by a process that has exited but is not yet reaped (a zombie)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "niotebook-lock-"));
    // sh's background child exits at once; sh then becomes `sleep`, which never reaps it.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 30"]);
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(d.toString()))));
      const state = () => readFileSync(`/proc/${zombie}/stat`, "utf8").split(") ")[1]!;
      for (let i = 0; i < 100 && !state().startsWith("Z"); i++) await new Promise((r) => setTimeout(r, 20));
      expect(state()[0]).toBe("Z");
      writeFileSync(join(dir, "niotebook.lock"), `${zombie} ${state().split(" ")[19]}\n`);
      lockDataDir(dir).release();
    } finally {
      parent.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
