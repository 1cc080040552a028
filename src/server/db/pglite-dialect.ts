// A Kysely dialect over PGlite. PGlite is one database session, so the driver hands out its
// single connection to one caller at a time: a transaction holds it from BEGIN to COMMIT and
// nothing else can interleave statements into it. (Measured against kysely-pglite: this is
// ~70 lines and no dependencies, that package pulls in a CLI toolchain.)
import type { PGlite } from "@electric-sql/pglite";
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult,
  type TransactionSettings,
} from "kysely";

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pg.query<R>(query.sql, query.parameters as unknown[], { rowMode: "object" });
    const affected = result.affectedRows;
    return affected === undefined
      ? { rows: result.rows }
      : { rows: result.rows, numAffectedRows: BigInt(affected) };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported on the embedded database");
  }
}

/**
 * A FIFO lock: the next waiter gets the connection when the holder releases it. PGlite runs a
 * statement synchronously, so handing the lock over in a microtask could run the whole queue
 * without the event loop polling once: under sustained load the first requests of the
 * last clients to connect were answered only when the load stopped (measured: 3.4 s, the
 * length of the run). So once the event loop has been held for YIELD_MS, the next hand-over
 * waits for it to go round.
 */
const YIELD_MS = 5;

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  /** When the event loop last reached its check phase, as far as a setImmediate noticed. */
  private loopSeenAt = performance.now();
  private watching = false;

  lock(): Promise<() => void> {
    let handOver!: () => void;
    const next = new Promise<void>((resolve) => (handOver = resolve));
    const release = () => {
      if (performance.now() - this.loopSeenAt < YIELD_MS) {
        this.watchLoop();
        return handOver();
      }
      setImmediate(() => {
        this.loopSeenAt = performance.now();
        handOver();
      });
    };
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }

  private watchLoop(): void {
    if (this.watching) return;
    this.watching = true;
    setImmediate(() => {
      this.watching = false;
      this.loopSeenAt = performance.now();
    });
  }
}

class PGliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly connection: PGliteConnection;
  private release: (() => void) | undefined;

  constructor(private readonly pg: PGlite) {
    this.connection = new PGliteConnection(pg);
  }

  async init(): Promise<void> {
    await this.pg.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.release = await this.mutex.lock();
    return this.connection;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : "";
    await conn.executeQuery(CompiledQuery.raw(`begin${level}`));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    // Wait for whoever holds the session, then close it.
    const release = await this.mutex.lock();
    try {
      if (!this.pg.closed) await this.pg.close();
    } finally {
      release();
    }
  }
}

export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGlite) {}
  createAdapter() { return new PostgresAdapter(); }
  createDriver() { return new PGliteDriver(this.pg); }
  createQueryCompiler() { return new PostgresQueryCompiler(); }
  createIntrospector(db: Kysely<unknown>) { return new PostgresIntrospector(db); }
}
