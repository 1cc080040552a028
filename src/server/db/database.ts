// Opens the configured database — PostgreSQL over `pg`, or PGlite in the data folder — behind
// one Kysely<Database>, with a health probe that never waits behind the main pool.
import { Kysely, sql } from "kysely";
import pg from "pg";
import { join } from "node:path";
import { PgDialect } from "./pg-dialect.js";
import { PGliteDialect } from "./pglite-dialect.js";
import { microsecondClock } from "./microsecond-clock.js";
import type { Database } from "./schema.js";

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: "postgres" | "embedded";
  /** The created_at of a new post or user: null for the database's own now(); see microsecond-clock.ts. */
  newTimestamp(): string | null;
  /** True when the database answers `select 1` within timeoutMs on a connection of its own. */
  ping(timeoutMs: number): Promise<boolean>;
  /** Hears NOTIFY on `channel` until the database is closed; see Listener. */
  listen(channel: string, listener: Listener): void;
  close(): Promise<void>;
}

export interface Listener {
  notified(payload: string): void;
  /** True once LISTEN is in place; false when the connection that heard is lost (it is retried). */
  hearing(hearing: boolean): void;
}

// Timestamps stay text end to end (PostgreSQL formats them for the API).
const asText = (value: string) => value;
const TIMESTAMP_OIDS = [1082, 1114, 1184];

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A pg client that gives up connecting after 5 s, whatever the pool waits for a slot. */
class FastFailClient extends pg.Client {
  constructor(config: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: 5_000 });
  }
}

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  /** A statement unanswered this long fails (503) and its connection is retired; 5 s. */
  statementTimeoutMs?: number;
  onPoolError?: (error: Error) => void;
}

export function openPostgres(options: PostgresOptions): DatabaseHandle {
  const types = {
    getTypeParser: (oid: number, format?: string) =>
      TIMESTAMP_OIDS.includes(oid) ? asText : pg.types.getTypeParser(oid, format as "text"),
  };
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // Waiting for a free connection under load is bounded by the request timeout only; but
    // opening one fails fast when PostgreSQL is down (FastFailClient), and a statement on a
    // connection whose server went silent is abandoned (the dialect's statement deadline):
    // such requests answer 503, never hang.
    Client: FastFailClient as unknown as new () => pg.ClientBase,
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types,
  });
  pool.on("error", (error) => options.onPoolError?.(error));
  const db = new Kysely<Database>({ dialect: new PgDialect(pool, isDatabaseUnavailable, options.statementTimeoutMs ?? 5_000) });
  const listeners: Array<{ stop(): Promise<void> }> = [];
  return {
    db,
    kind: "postgres",
    newTimestamp: () => null,
    listen(channel, listener) {
      listeners.push(listenPostgres(options.url, channel, listener));
    },
    async ping(timeoutMs) {
      const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: timeoutMs, types });
      client.on("error", () => {});
      try {
        await withTimeout(client.connect().then(() => client.query("select 1")), timeoutMs);
        return true;
      } catch {
        return false;
      } finally {
        void client.end().catch(() => {});
      }
    },
    async close() {
      await Promise.all(listeners.map((l) => l.stop()));
      await db.destroy();
    },
  };
}

/**
 * LISTEN on a connection of its own, reconnecting (1 s, then up to 10 s apart) when it drops.
 * A connection can also die silently (a partition: nothing arrives, not even an error, and a
 * notification sent meanwhile is lost), so it is pinged every 10 s and given up after 5 s
 * without an answer: deletions go unheard for at most ~15 s.
 */
function listenPostgres(url: string, channel: string, listener: Listener): { stop(): Promise<void> } {
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let delayMs = 1_000;
  let stopped = false;
  const lost = (lostClient: pg.Client) => {
    if (client !== lostClient) return;
    client = null;
    clearInterval(heartbeat);
    listener.hearing(false);
    void lostClient.end().catch(() => {});
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    retry = setTimeout(() => void connect(), delayMs);
    retry.unref();
    delayMs = Math.min(delayMs * 2, 10_000);
  };
  const connect = async () => {
    const candidate = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    candidate.on("error", () => lost(candidate));
    candidate.on("end", () => lost(candidate));
    candidate.on("notification", (message) => {
      if (message.channel === channel) listener.notified(message.payload ?? "");
    });
    try {
      await candidate.connect();
      await withTimeout(candidate.query(`LISTEN ${pg.escapeIdentifier(channel)}`), 5_000);
    } catch {
      void candidate.end().catch(() => {});
      schedule();
      return;
    }
    if (stopped) return void candidate.end().catch(() => {});
    client = candidate;
    delayMs = 1_000;
    heartbeat = setInterval(() => {
      withTimeout(candidate.query("SELECT 1"), 5_000).catch(() => lost(candidate));
    }, 10_000);
    heartbeat.unref();
    listener.hearing(true);
  };
  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const last = client;
      client = null;
      // A connection that went silent would never finish ending: do not wait for it.
      if (last) await withTimeout(last.end(), 1_000).catch(() => {});
    },
  };
}

export async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  // Loaded only for the embedded database: a PostgreSQL-backed server never needs it.
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = await PGlite.create(join(dataDir, "pgdata"), {
    parsers: Object.fromEntries(TIMESTAMP_OIDS.map((oid) => [oid, asText])),
    ...(await (await import("./pglite-assets.js")).pgliteAssetOptions()), // the single executable's own copies of PGlite's files
    // PGlite's memory is a WebAssembly heap that never shrinks, and PostgreSQL's default
    // 128 MB of shared buffers fill it: 32 MB hold the pages our keyset queries touch, and the
    // files behind them stay in the OS page cache. (Measured: ~120 MB less resident.)
    startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"],
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: "embedded",
    newTimestamp: microsecondClock(),
    listen(channel, listener) {
      // PGlite is one session: LISTEN takes its turn like any statement. Notifications
      // arrive after the statement that caused them.
      void db.connection().execute(() => pglite.listen(channel, (payload) => listener.notified(payload)))
        .then(() => listener.hearing(true), () => {});
    },
    async ping(timeoutMs) {
      try {
        await withTimeout(sql`select 1`.execute(db), timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

/** Errors that mean "the database cannot be reached", answered 503 rather than 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"].includes(code)) {
    return true;
  }
  // PostgreSQL: connection exceptions, shutting down, too many connections, the database
  // dropped, renamed away or refusing logins, and a read-only database (a standby, or one
  // mid fail-over) asked to write: none of them is a bug, all of them may pass.
  if (code && (code.startsWith("08") || code.startsWith("28") ||
      ["57P01", "57P02", "57P03", "57P04", "53300", "3D000", "25006"].includes(code))) {
    return true;
  }
  // "database ... is not currently accepting connections" (55000 also names unrelated states).
  if (code === "55000" && /accepting connections/i.test(error.message)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connection timeout|Client has encountered a connection error|not queryable|PGlite is closed|driver has already been destroyed|^timeout expired$/i.test(
    error.message,
  );
}

/** The database could not write for lack of disk space (PostgreSQL's disk_full, ENOSPC). */
export function isOutOfStorage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code === "53100" || code === "ENOSPC" || /No space left on device|could not extend file/i.test(error.message);
}
