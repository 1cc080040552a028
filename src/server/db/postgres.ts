// PostgreSQL over a pg.Pool, behind one Kysely<Database>.
import { Kysely } from "kysely";
import pg from "pg";
import { isDatabaseUnavailable } from "./errors.js";
import type { DatabaseHandle } from "./handle.js";
import { PgDialect } from "./pg-dialect.js";
import { pingPostgres } from "./ping.js";
import { listenPostgres } from "./postgres-listen.js";
import type { Database } from "./schema.js";
import { pgTypes } from "./timestamps.js";

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
    types: pgTypes,
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
    ping: (timeoutMs) => pingPostgres(options.url, timeoutMs),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await Promise.all(listeners.map((l) => l.stop()));
      await db.destroy();
    },
  };
}
