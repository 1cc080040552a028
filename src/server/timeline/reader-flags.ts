// Each reader's liked/reposted flags on the shared first page, remembered for as long as that
// rendering lives (at most the first-page cache's age, 1 s): a reader refreshing the timeline
// costs one indexed query per page load, not one per request. Only where this process sees
// every like and repost (one process); with several writers the flags are read each time.
import type { Db } from "../social/common.js";
import { readerFlags } from "../social/hydrate.js";

export interface Flags {
  liked: Set<string>;
  reposted: Set<string>;
}

export class ReaderFlagsCache {
  private page: object | null = null;
  private readonly byReader = new Map<string, Flags>();
  /** Bumped by each change of a reader's flags: a read that started before it is not kept. */
  private readonly changes = new Map<string, number>();

  /**
   * The flags on first pages cut for readers who block or mute someone (safety/reader-filter.ts),
   * keyed on the cached rows they were cut from; the caller calls changed() when a reader's
   * page holds other posts for the same rows (their blocks or mutes changed).
   */
  readonly filtered: ReaderFlagsCache | null;

  constructor(private readonly db: Db, nested = false) {
    this.filtered = nested ? null : new ReaderFlagsCache(db, true);
  }

  async get(reader: string, page: object, ids: string[]): Promise<Flags> {
    if (page !== this.page) {
      this.page = page;
      this.byReader.clear();
      this.changes.clear();
    }
    const known = this.byReader.get(reader);
    if (known) return known;
    const before = this.changes.get(reader) ?? 0;
    const flags = await readerFlags(this.db, reader, ids);
    if (this.page === page && (this.changes.get(reader) ?? 0) === before) this.byReader.set(reader, flags);
    return flags;
  }

  /** Call after `reader` liked, reposted or undid one, before answering. */
  changed(reader: string): void {
    this.filtered?.changed(reader);
    this.byReader.delete(reader);
    this.changes.set(reader, (this.changes.get(reader) ?? 0) + 1);
  }
}
