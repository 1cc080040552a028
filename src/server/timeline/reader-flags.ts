// Each reader's liked/reposted flags on a shared timeline page (the first or one below it),
// remembered for as long as that rendering lives (at most the page cache's age, 1 s): a reader
// refreshing the timeline costs one indexed query per page load, not one per request. The like
// and repost routes call changed() for the reader; with several processes on PostgreSQL that
// also advances reader_flags_version, which every lookup compares (read in the same coalesced
// statement as the timeline's version, versions.ts), so no process keeps flags older than a
// like its reader has seen acknowledged.
import { sql } from "kysely";
import type { Db } from "../social/common.js";
import { readerFlags } from "../social/hydrate.js";
import type { VersionRead } from "./versions.js";

export interface Flags {
  liked: Set<string>;
  reposted: Set<string>;
}

/** Readers whose changes are counted at most; beyond it every remembered answer is forgotten. */
const CAPACITY = 100_000;

interface Known {
  flags: Flags;
  /** The reader's change count and the cache's generation when the flags were read. */
  change: number;
  generation: number;
}

export class ReaderFlagsCache {
  private byPage = new WeakMap<object, Map<string, Known>>();
  /** Bumped by each change of a reader's flags: a read that started before it is not kept. */
  private readonly changes = new Map<string, number>();
  private generation = 0;
  private version: string | undefined;

  /** `currentVersion`: reader_flags_version, when other processes may change flags too. */
  constructor(private readonly db: Db, private readonly currentVersion?: VersionRead) {}

  /** `page`: the shared rendering the flags are for (any object that lives as long as it). */
  async get(reader: string, page: object, ids: string[], since?: number): Promise<Flags> {
    if (this.currentVersion) {
      const version = await this.currentVersion(since);
      if (version !== this.version) {
        this.forgetAll();
        this.version = version;
      }
    }
    let readers = this.byPage.get(page);
    if (!readers) this.byPage.set(page, (readers = new Map()));
    const change = this.changes.get(reader) ?? 0;
    const generation = this.generation;
    const known = readers.get(reader);
    if (known && known.change === change && known.generation === generation) return known.flags;
    const flags = await readerFlags(this.db, reader, ids);
    if ((this.changes.get(reader) ?? 0) === change && this.generation === generation) readers.set(reader, { flags, change, generation });
    return flags;
  }

  /** Call after `reader` liked, reposted or undid one, before answering. */
  async changed(reader: string): Promise<void> {
    if (this.changes.size >= CAPACITY) this.forgetAll();
    this.changes.set(reader, (this.changes.get(reader) ?? 0) + 1);
    if (this.currentVersion) await sql`SELECT nextval('reader_flags_version')`.execute(this.db);
  }

  private forgetAll(): void {
    this.generation++;
    this.changes.clear();
    this.byPage = new WeakMap();
  }
}
