// A Kysely dialect over a pg.Pool: named prepared statements, connections that failed are
// destroyed rather than pooled, and one sweep keeps statement deadlines (docs/design-notes.md).
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult,
  type TransactionSettings,
} from "kysely";
import type pg from "pg";

/** Classifies an error as "the database cannot be reached": the connection is retired. */
export type UnavailableTest = (error: unknown) => boolean;

// Statement names are per process and bounded: queries come from a fixed set, but a surprise
// (say, text built from input) must not grow the map or every connection's prepared set.
const MAX_NAMED_STATEMENTS = 500;
const statementNames = new Map<string, string>();
const PREPARABLE = /^(select|with|insert|update|delete) /i;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS && PREPARABLE.test(text)) {
    statementNames.set(text, (name = `niotebook_${statementNames.size}`));
  }
  return name;
}

const AFFECTS_ROWS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);
const WRITES = /\b(insert|update|delete|merge)\b/i;

/**
 * Marks an error after which a write may or may not have taken effect: the statement (or the
 * COMMIT) went out and no answer came back — it timed out, or the connection broke under it.
 * PostgreSQL may still run it once the bytes arrive. An error PostgreSQL itself sent means the
 * statement failed, and so does one inside a transaction before its COMMIT.
 */
export class WriteOutcomeUnknown extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "WriteOutcomeUnknown";
  }
}

const answeredByServer = (error: unknown): boolean =>
  typeof (error as { severity?: unknown }).severity === "string";

class PgConnection implements DatabaseConnection {
  /** Set when this connection must not serve another request. */
  broken = false;
  /** Between BEGIN and its COMMIT or ROLLBACK (kept by the driver's transaction calls). */
  inTransaction = false;
  /** When the statement in flight was sent (performance.now()); 0 when there is none. */
  private sentAt = 0;
  private abandon: ((error: Error) => void) | undefined;

  constructor(readonly client: pg.PoolClient, private readonly unavailable: UnavailableTest) {
    // pg emits 'error' on a checked-out client whose connection drops; unheard, that would
    // crash the process. The query in flight fails on its own; the client is retired.
    client.on("error", () => {
      this.broken = true;
    });
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const values = query.parameters as unknown[];
    const name = statementName(query.sql);
    let result: pg.QueryResult;
    try {
      // pg's callback form, in a promise of our own: its promise form made every result
      // outlive the young generation (docs/design-notes.md).
      result = await new Promise<pg.QueryResult>((resolve, reject) => {
        this.sentAt = performance.now();
        this.abandon = reject;
        const done = (error: Error | null, res: pg.QueryResult) => {
          this.sentAt = 0;
          this.abandon = undefined;
          if (error) reject(error);
          else resolve(res);
        };
        if (name === undefined) this.client.query(query.sql, values, done);
        else this.client.query({ name, text: query.sql, values }, done);
      });
    } catch (error) {
      if (!this.unavailable(error)) throw error;
      this.broken = true;
      const write = this.inTransaction ? /^commit/i.test(query.sql) : WRITES.test(query.sql);
      throw write && !answeredByServer(error) ? new WriteOutcomeUnknown(error) : error;
    }
    const rows = (result.rows ?? []) as R[];
    return AFFECTS_ROWS.has(result.command) ? { rows, numAffectedRows: BigInt(result.rowCount ?? 0) } : { rows };
  }

  /**
   * Gives up on a statement sent more than limitMs ago: it fails with pg's own "Query read
   * timeout" (mapped to 503) and the connection is retired on release, as pg's query_timeout did.
   */
  expire(now: number, limitMs: number): void {
    if (this.sentAt === 0 || now - this.sentAt < limitMs) return;
    const abandon = this.abandon!;
    this.sentAt = 0;
    this.abandon = undefined;
    this.broken = true;
    abandon(new Error("Query read timeout"));
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not used by niotebook");
  }
}

class PgDriver implements Driver {
  private readonly connections = new WeakMap<pg.PoolClient, PgConnection>();
  /** Every connection whose client has not ended, for the deadline sweep. */
  private readonly live = new Set<PgConnection>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly pool: pg.Pool, private readonly unavailable: UnavailableTest, private readonly statementTimeoutMs: number) {}

  async init(): Promise<void> {
    const every = Math.max(10, Math.min(250, this.statementTimeoutMs / 4));
    this.sweep = setInterval(() => {
      const now = performance.now();
      for (const connection of this.live) connection.expire(now, this.statementTimeoutMs);
    }, every);
    this.sweep.unref();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    // The callback form: pg-pool's promise form costs an extra promise per checkout.
    return new Promise((resolve, reject) => {
      this.pool.connect((error, client) => {
        if (error || !client) return reject(error ?? new Error("pg pool returned no client"));
        let connection = this.connections.get(client);
        if (!connection) {
          const created = (connection = new PgConnection(client, this.unavailable));
          this.connections.set(client, created);
          this.live.add(created);
          client.once("end", () => this.live.delete(created));
        }
        resolve(connection);
      });
    });
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : "";
    const mode = settings.accessMode ? ` ${settings.accessMode}` : "";
    await conn.executeQuery(CompiledQuery.raw(`begin${level}${mode}`));
    (conn as PgConnection).inTransaction = true;
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    try {
      await conn.executeQuery(CompiledQuery.raw("commit"));
    } finally {
      (conn as PgConnection).inTransaction = false;
    }
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    try {
      await conn.executeQuery(CompiledQuery.raw("rollback"));
    } finally {
      (conn as PgConnection).inTransaction = false;
    }
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const { client, broken } = conn as PgConnection;
    // pg-pool destroys a client released with a truthy argument.
    client.release(broken || undefined);
  }

  async destroy(): Promise<void> {
    clearInterval(this.sweep);
    await this.pool.end();
  }
}

export class PgDialect implements Dialect {
  constructor(private readonly pool: pg.Pool, private readonly unavailable: UnavailableTest, private readonly statementTimeoutMs: number) {}
  createAdapter() { return new PostgresAdapter(); }
  createDriver() { return new PgDriver(this.pool, this.unavailable, this.statementTimeoutMs); }
  createQueryCompiler() { return new PostgresQueryCompiler(); }
  createIntrospector(db: Kysely<unknown>) { return new PostgresIntrospector(db); }
}
