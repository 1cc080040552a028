import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** The open database, whichever kind: what the rest of the server sees of it. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: "postgres" | "embedded";
  /** The created_at of a new post or user: null for the database's own now(); see microsecond-clock.ts. */
  newTimestamp(): string | null;
  /** True when the database answers `select 1` within timeoutMs on a connection of its own. */
  ping(timeoutMs: number): Promise<boolean>;
  /** Hears NOTIFY on `channel` until the database is closed; see Listener. */
  listen(channel: string, listener: Listener): void;
  /** The connection pool's use, for the metrics; absent for the embedded database (one session). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  /** Embedded only: the data folder as a gzipped tar, consistent (taken between transactions). */
  backup?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface Listener {
  notified(payload: string): void;
  /** True once LISTEN is in place; false when the connection that heard is lost (it is retried). */
  hearing(hearing: boolean): void;
}
