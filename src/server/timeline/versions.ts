// The timeline's version, for first-page caches in several processes on one PostgreSQL
// database. A write advances the sequence after it has committed, and a read compares it with
// the version its cached page was loaded at: unlike NOTIFY, never late (docs/design-notes.md).
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.js";

export interface TimelineVersions {
  /** Advances the version; call after a post is created or deleted. */
  bump(): Promise<void>;
  /** The current version, or undefined when only this process writes (embedded database). */
  current: (() => Promise<string>) | undefined;
}

export function postgresTimelineVersions(db: Kysely<Database>): TimelineVersions {
  return {
    async bump() {
      await sql`SELECT nextval('timeline_version')`.execute(db);
    },
    current: coalesced(async () => {
      // A new sequence reports last_value 1 before and after its first nextval: is_called tells them apart.
      const result = await sql<{ v: string }>`SELECT (last_value + is_called::int)::text AS v FROM timeline_version`.execute(db);
      return result.rows[0]!.v;
    }),
  };
}

export const singleProcessTimeline: TimelineVersions = { bump: async () => {}, current: undefined };

/**
 * Runs `read` at most once at a time, and answers every caller with a read that started after
 * it asked — never one already in flight, which may predate a write the caller has seen
 * acknowledged. Callers who ask during one read share the next: under load, one version query
 * per round trip instead of one per request.
 */
export function coalesced<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const current: Promise<T> = read().finally(() => {
      if (running === current) running = null;
    });
    running = current;
    return current;
  };
  return () => {
    if (!running) return start();
    next ??= running.then(() => undefined, () => undefined).then(() => {
      next = null;
      return start();
    });
    return next;
  };
}
