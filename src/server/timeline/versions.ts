// The timeline's version, for first-page caches in several processes on one PostgreSQL
// database. A write advances the sequence after it has committed, and a read compares it with
// the version its cached page was loaded at: unlike NOTIFY, never late (docs/design-notes.md).
// The block/mute and liked/reposted versions are read in the same statement: a cached page
// costs one coalesced round trip per request, not one per version (sharedVersions).
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.js";

/** A version read: `since` (performance.now()) lets a request reuse a read that started after it did. */
export type VersionRead = (since?: number) => Promise<string>;

export interface TimelineVersions {
  /** Advances the version; call after a post is created or deleted. */
  bump(): Promise<void>;
  /** The current version, or undefined when only this process writes (embedded database). */
  current: VersionRead | undefined;
}

export function postgresTimelineVersions(db: Kysely<Database>): TimelineVersions {
  const versions = sharedVersions(db);
  return {
    async bump() {
      await sql`SELECT nextval('timeline_version')`.execute(db);
    },
    current: async (since) => (await versions(since)).timeline,
  };
}

export const singleProcessTimeline: TimelineVersions = { bump: async () => {}, current: undefined };

/** Every version a cached read compares, as one row. */
export interface Versions {
  timeline: string;
  /** Blocks and mutes (safety/reader-filter.ts). */
  safety: string;
  /** Likes and reposts: a reader's flags (timeline/reader-flags.ts). */
  flags: string;
}

const readers = new WeakMap<Kysely<Database>, (since?: number) => Promise<Versions>>();

/** The one coalesced reader of all three versions for this database handle. */
export function sharedVersions(db: Kysely<Database>): (since?: number) => Promise<Versions> {
  let read = readers.get(db);
  if (!read) {
    // is_called too: a fresh sequence's first nextval leaves last_value at 1, as it was.
    readers.set(db, read = coalesced(async () => (await sql<Versions>`SELECT
      (SELECT last_value::text || ':' || is_called::text FROM timeline_version) AS timeline,
      (SELECT last_value::text || ':' || is_called::text FROM safety_version) AS safety,
      (SELECT last_value::text || ':' || is_called::text FROM reader_flags_version) AS flags`.execute(db)).rows[0]!));
  }
  return read;
}

/**
 * Runs `read` at most once at a time, and answers every caller with a read that started after
 * it asked — never one already in flight, which may predate a write the caller has seen
 * acknowledged. Callers who ask during one read share the next: under load, one version query
 * per round trip instead of one per request. A caller that passes `since` (when its request
 * arrived, performance.now()) is also answered by any read that started after that moment,
 * finished or running: the second version a request asks for costs no second round trip.
 */
export function coalesced<T>(read: () => Promise<T>): (since?: number) => Promise<T> {
  let running: { promise: Promise<T>; startedAt: number } | null = null;
  let next: Promise<T> | null = null;
  let last: { value: T; startedAt: number } | null = null;
  const start = (): Promise<T> => {
    const startedAt = performance.now();
    const current: Promise<T> = read().then((value) => {
      if (!last || startedAt >= last.startedAt) last = { value, startedAt };
      return value;
    }).finally(() => {
      if (running?.promise === current) running = null;
    });
    running = { promise: current, startedAt };
    return current;
  };
  return (since) => {
    if (since !== undefined) {
      if (last && last.startedAt >= since) return Promise.resolve(last.value);
      if (running && running.startedAt >= since) return running.promise;
    }
    if (!running) return start();
    next ??= running.promise.then(() => undefined, () => undefined).then(() => {
      next = null;
      return start();
    });
    return next;
  };
}
