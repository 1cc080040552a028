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

  constructor(private readonly db: Db) {}

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
    this.byReader.delete(reader);
    this.changes.set(reader, (this.changes.get(reader) ?? 0) + 1);
  }
}
