// Each reader's liked/reposted flags on the shared timeline pages (the first and those below
// it), remembered per reader and page contents — the page's post ids, which survive the page
// cache's one-second reloads — so a reader refreshing the timeline costs one indexed query
// when the page or their flags change, not one per request. The like and repost routes call
// changed() for the reader; with several processes on PostgreSQL that also advances
// reader_flags_version, which every lookup compares (read in the same coalesced statement as
// the timeline's version, versions.ts), so no process keeps flags older than a like its
// reader has seen acknowledged.
import { sql } from "kysely";
import type { Db } from "../social/common.js";
import { readerFlags } from "../social/hydrate.js";
import type { VersionRead } from "./versions.js";

export interface Flags {
  liked: Set<string>;
  reposted: Set<string>;
}

/** Readers remembered at most (the least recently seen are forgotten), and pages per reader. */
const READERS = 20_000;
const PAGES_PER_READER = 4;

interface Known {
  /** The page's post ids, joined (the rendering's own string, shared by every reader of it). */
  page: string;
  flags: Flags;
  /** The reader's change count and the cache's generation when the flags were read. */
  change: number;
  generation: number;
}

export class ReaderFlagsCache {
  private readonly known = new Map<string, Known[]>();
  /** Bumped by each change of a reader's flags: a read that started before it is not kept. */
  private readonly changes = new Map<string, number>();
  private generation = 0;
  private version: string | undefined;

  /** `currentVersion`: reader_flags_version, when other processes may change flags too. */
  constructor(private readonly db: Db, private readonly currentVersion?: VersionRead, private readonly capacity = READERS) {}

  /** `page`: the page's ids joined (SharedFirstPage.key); `since`: when the request arrived, to share its version read. */
  async get(reader: string, page: string, ids: string[], since?: number): Promise<Flags> {
    if (this.currentVersion) {
      const version = await this.currentVersion(since);
      if (version !== this.version) {
        this.forgetAll();
        this.version = version;
      }
    }
    const change = this.changes.get(reader) ?? 0;
    const generation = this.generation;
    const hit = this.known.get(reader)?.find((k) => k.page === page && k.change === change && k.generation === generation);
    if (hit) return hit.flags;
    const flags = await readerFlags(this.db, reader, ids);
    if ((this.changes.get(reader) ?? 0) === change && this.generation === generation) {
      const pages = (this.known.get(reader) ?? []).filter((k) => k.page !== page && k.change === change && k.generation === generation);
      pages.push({ page, flags, change, generation });
      if (pages.length > PAGES_PER_READER) pages.shift();
      this.known.delete(reader); // re-inserted last: the map's order is least recently read first
      this.known.set(reader, pages);
      if (this.known.size > this.capacity) this.known.delete(this.known.keys().next().value!);
    }
    return flags;
  }

  /** Call after `reader` liked, reposted or undid one, before answering. */
  async changed(reader: string): Promise<void> {
    if (this.changes.size >= this.capacity) this.forgetAll();
    this.changes.set(reader, (this.changes.get(reader) ?? 0) + 1);
    this.known.delete(reader);
    if (this.currentVersion) await sql`SELECT nextval('reader_flags_version')`.execute(this.db);
  }

  private forgetAll(): void {
    this.generation++;
    this.changes.clear();
    this.known.clear();
  }
}
