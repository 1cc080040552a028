// All configuration comes from the environment and is validated once, at start-up, with
// messages that say what to do. Nothing else in the server reads process.env.
import { availableParallelism } from "node:os";
import { dataFolderPath } from "../data-folder/index.js";

export interface Config {
  host: string;
  port: number;
  /** PostgreSQL URL; absent means the embedded database in dataDir. */
  dbUrl: string | undefined;
  dataDir: string;
  /** Absent only with the embedded database, which keeps a generated secret in dataDir. */
  jwtSecret: string | undefined;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  refreshReuseGraceMs: number;
  /** 0 = limits off; otherwise every budget is multiplied by this. */
  rateLimitMultiplier: number;
  trustProxy: string[];
  redisUrl: string | undefined;
  corsOrigins: string[];
  logLevel: string;
  /** Log lines for a person (pretty) or for a machine (json); auto = pretty on a terminal. */
  logFormat: "json" | "pretty" | "auto";
  /** Serve the first timeline page from memory (on by default; off for measuring). */
  timelineCache: boolean;
  /** GET /stream: the longest silence before a `: ping` comment. */
  streamPingMs: number;
  /** Server processes sharing the port (PostgreSQL only). */
  workers: number;
  /** Port of the Prometheus listener (GET /metrics) on `host`; undefined = no metrics. */
  metricsPort: number | undefined;
  /** `niotebook local`: the client that started this server; stop once it is gone. */
  stopWithParent: number | undefined;
  /** Who may sign up: anyone, holders of an invite code, or no one. */
  registration: RegistrationMode;
  /**
   * The origin clients reach this server at (`scheme://host[:port]`), named in SSH log-in
   * challenges; undefined = the request's own (Host, or X-Forwarded-* from a trusted proxy).
   */
  publicOrigin: string | undefined;
  /** Shown by GET /api/v1/instance. */
  instanceName: string;
}

export type RegistrationMode = "open" | "invite" | "closed";

export class ConfigError extends Error {}

export const ENV_HELP: Array<[string, string]> = [
  ["NIOTEBOOK_HOST", "address to listen on (default 127.0.0.1)"],
  ["NIOTEBOOK_PORT", "port to listen on, 0 for any free port (default 8080)"],
  ["NIOTEBOOK_DB_URL", "PostgreSQL URL; unset = embedded PostgreSQL in the data folder"],
  ["NIOTEBOOK_DATA_DIR", "data folder for the embedded database (default $XDG_DATA_HOME/niotebook or ~/.local/share/niotebook)"],
  ["NIOTEBOOK_JWT_SECRET", "HS256 secret, at least 32 bytes; required with NIOTEBOOK_DB_URL"],
  ["NIOTEBOOK_ACCESS_TOKEN_TTL", "access token lifetime, e.g. 15m, 24h (default 24h)"],
  ["NIOTEBOOK_REFRESH_TOKEN_TTL", "refresh token lifetime (default 7d)"],
  ["NIOTEBOOK_REFRESH_REUSE_GRACE", "grace period for a reused refresh token (default 30s)"],
  ["NIOTEBOOK_RATE_LIMIT", "on (default), off, or a multiplier such as x1000"],
  ["NIOTEBOOK_TRUST_PROXY", "comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For is believed"],
  ["NIOTEBOOK_REDIS_URL", "optional Redis URL (shared rate-limit buckets)"],
  ["NIOTEBOOK_CORS_ORIGIN", "comma-separated allowed CORS origins (default none)"],
  ["NIOTEBOOK_LOG_LEVEL", "fatal, error, warn, info (default), debug, trace or silent"],
  ["NIOTEBOOK_LOG_FORMAT", "json or pretty (default: pretty when standard output is a terminal, json otherwise)"],
  ["NIOTEBOOK_WORKERS", "server processes on one port: 1 (default), a number, or auto (one per core); PostgreSQL only"],
  ["NIOTEBOOK_METRICS_PORT", "port for Prometheus metrics (GET /metrics) on NIOTEBOOK_HOST, 0 for any free port; unset = off"],
  ["NIOTEBOOK_TIMELINE_CACHE", "on (default) or off: serve the first timeline page from memory"],
  ["NIOTEBOOK_REGISTRATION", "who may sign up: open (default), invite (a code from `admin invites create`) or closed"],
  ["NIOTEBOOK_PUBLIC_URL", "the URL clients reach the server at, e.g. https://social.example (named in SSH log-in challenges; default: the request's host)"],
  ["NIOTEBOOK_NAME", "this server's name, shown by GET /api/v1/instance (default Niotebook)"],
  ["NIOTEBOOK_STREAM_PING", "longest silence on a live stream before a ping comment (default 15s)"],
  ["NIOTEBOOK_STOP_WITH_PARENT", "a PID: stop when that process is no longer this one's parent (set by niotebook local)"],
];

function parseParentPid(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new ConfigError(`NIOTEBOOK_STOP_WITH_PARENT must be a process id (got "${value}")`);
  return Number(value);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses durations such as `500ms`, `3s`, `15m`, `24h`, `7d`. */
export function parseDuration(name: string, value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new ConfigError(`${name} must be a duration such as 30s, 15m, 24h or 7d (got "${value}")`);
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (ms <= 0) throw new ConfigError(`${name} must be longer than zero`);
  return ms;
}

function parseRateLimit(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === "on") return 1;
  if (v === "off") return 0;
  const match = /^x(\d+(?:\.\d+)?)$/.exec(v);
  if (match && Number(match[1]) > 0) return Number(match[1]);
  throw new ConfigError(`NIOTEBOOK_RATE_LIMIT must be on, off or a multiplier such as x1000 (got "${value}")`);
}

function parseWorkers(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === "auto") return availableParallelism();
  if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 64) return Number(v);
  throw new ConfigError(`NIOTEBOOK_WORKERS must be a number from 1 to 64 or auto (got "${value}")`);
}

function parseSwitch(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === "on") return true;
  if (v === "off") return false;
  throw new ConfigError(`${name} must be on or off (got "${value}")`);
}

function parsePort(value: string, name = "NIOTEBOOK_PORT"): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`${name} must be a port number 0–65535 (got "${value}")`);
  return port;
}

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];


export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  const dbUrl = get("NIOTEBOOK_DB_URL");
  const jwtSecret = get("NIOTEBOOK_JWT_SECRET");
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError("NIOTEBOOK_JWT_SECRET must be at least 32 bytes; generate one with: openssl rand -base64 48");
  }
  if (dbUrl !== undefined && jwtSecret === undefined) {
    throw new ConfigError(
      "NIOTEBOOK_JWT_SECRET is required when NIOTEBOOK_DB_URL is set (every server of the service must share it); " +
        "generate one with: openssl rand -base64 48",
    );
  }
  if (dbUrl !== undefined && !/^postgres(ql)?:\/\//.test(dbUrl)) {
    throw new ConfigError(`NIOTEBOOK_DB_URL must be a postgres:// or postgresql:// URL`);
  }
  const redisUrl = get("NIOTEBOOK_REDIS_URL");
  if (redisUrl !== undefined && !/^rediss?:\/\/[^/]/.test(redisUrl)) {
    throw new ConfigError(`NIOTEBOOK_REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379)`);
  }
  const logLevel = (get("NIOTEBOOK_LOG_LEVEL") ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`NIOTEBOOK_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${logLevel}")`);
  }
  const logFormat = get("NIOTEBOOK_LOG_FORMAT")?.toLowerCase() ?? "auto";
  if (logFormat !== "auto" && logFormat !== "json" && logFormat !== "pretty") {
    throw new ConfigError(`NIOTEBOOK_LOG_FORMAT must be json or pretty (got "${logFormat}")`);
  }
  const workers = parseWorkers(get("NIOTEBOOK_WORKERS") ?? "1");
  const rateLimitMultiplier = parseRateLimit(get("NIOTEBOOK_RATE_LIMIT") ?? "on");
  if (workers > 1 && dbUrl === undefined) {
    throw new ConfigError("NIOTEBOOK_WORKERS above 1 needs PostgreSQL (NIOTEBOOK_DB_URL): the embedded database is opened by one process only");
  }
  const stopWithParent = parseParentPid(get("NIOTEBOOK_STOP_WITH_PARENT"));
  if (workers > 1 && stopWithParent !== undefined) {
    throw new ConfigError("NIOTEBOOK_STOP_WITH_PARENT is for a single server process (NIOTEBOOK_WORKERS=1)");
  }
  if (workers > 1 && rateLimitMultiplier > 0 && redisUrl === undefined) {
    throw new ConfigError(
      "with more than one worker the rate limits must be shared: set NIOTEBOOK_REDIS_URL (e.g. redis://127.0.0.1:6379), " +
        "or turn limits off with NIOTEBOOK_RATE_LIMIT=off",
    );
  }
  const port = parsePort(get("NIOTEBOOK_PORT") ?? "8080");
  const metricsPortText = get("NIOTEBOOK_METRICS_PORT");
  const metricsPort = metricsPortText === undefined ? undefined : parsePort(metricsPortText.trim(), "NIOTEBOOK_METRICS_PORT");
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(`NIOTEBOOK_METRICS_PORT must differ from NIOTEBOOK_PORT (both are ${port}): the metrics have a listener of their own`);
  }
  const registration = (get("NIOTEBOOK_REGISTRATION") ?? "open").trim().toLowerCase();
  if (registration !== "open" && registration !== "invite" && registration !== "closed") {
    throw new ConfigError(`NIOTEBOOK_REGISTRATION must be open, invite or closed (got "${registration}")`);
  }
  const publicUrl = get("NIOTEBOOK_PUBLIC_URL");
  let publicOrigin: string | undefined;
  if (publicUrl !== undefined) {
    try {
      const url = new URL(publicUrl.trim());
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
      publicOrigin = url.origin;
    } catch {
      throw new ConfigError(`NIOTEBOOK_PUBLIC_URL must be an http:// or https:// URL such as https://social.example (got "${publicUrl}")`);
    }
  }
  return {
    host: get("NIOTEBOOK_HOST") ?? "127.0.0.1",
    port,
    dbUrl,
    dataDir: dataFolderPath(env),
    jwtSecret,
    accessTokenTtlMs: parseDuration("NIOTEBOOK_ACCESS_TOKEN_TTL", get("NIOTEBOOK_ACCESS_TOKEN_TTL") ?? "24h"),
    refreshTokenTtlMs: parseDuration("NIOTEBOOK_REFRESH_TOKEN_TTL", get("NIOTEBOOK_REFRESH_TOKEN_TTL") ?? "7d"),
    refreshReuseGraceMs: parseDuration("NIOTEBOOK_REFRESH_REUSE_GRACE", get("NIOTEBOOK_REFRESH_REUSE_GRACE") ?? "30s"),
    rateLimitMultiplier,
    trustProxy: list(get("NIOTEBOOK_TRUST_PROXY")),
    redisUrl,
    corsOrigins: list(get("NIOTEBOOK_CORS_ORIGIN")),
    logLevel,
    logFormat,
    workers,
    timelineCache: parseSwitch("NIOTEBOOK_TIMELINE_CACHE", get("NIOTEBOOK_TIMELINE_CACHE") ?? "on"),
    metricsPort,
    streamPingMs: Math.min(15_000, parseDuration("NIOTEBOOK_STREAM_PING", get("NIOTEBOOK_STREAM_PING") ?? "15s")),
    stopWithParent,
    registration,
    publicOrigin,
    instanceName: (get("NIOTEBOOK_NAME") ?? "Niotebook").trim(),
  };
}
