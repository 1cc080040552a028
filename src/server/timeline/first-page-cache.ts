// The first timeline page is the same for everyone, so it is served from memory. Freshness:
// a write in this process drops the cache before it answers. With several processes on one
// PostgreSQL database, each read first asks the database for the timeline's version (a
// sequence every write advances after it commits — see timeline/versions.ts), so a writer
// sees its post in its next request whichever process answers. An entry never lives longer
// than a second in any case.
import type { Post } from "../../api/index.js";
import type { VersionRead } from "./versions.js";

const MAX_AGE_MS = 1_000;

export class FirstPageCache {
  private rows: Post[] | null = null;
  private rowsVersion: string | undefined;
  private readonly rendered = new Map<number, unknown>();
  private loadedAtMs = 0;
  private loading: Promise<Post[]> | null = null;
  private loadingVersion: string | undefined;
  private generation = 0;
  /** Off for measuring (NIOTEBOOK_TIMELINE_CACHE=off). */
  enabled = true;
  /** Running totals for the metrics: pages served from memory, and pages that needed a load. */
  readonly lookups = { hits: 0, misses: 0 };

  constructor(
    /** Loads the newest PAGE_LIMIT_MAX + 1 posts. */
    private readonly load: () => Promise<Post[]>,
    private readonly now: () => number = Date.now,
    /** The shared timeline version, when other processes may write; undefined otherwise. */
    private readonly currentVersion?: VersionRead,
  ) {}

  /** The newest limit+1 posts (so has_more stays exact). */
  async newest(limit: number): Promise<Post[]> {
    return (await this.current()).rows.slice(0, limit + 1);
  }

  /**
   * The newest PAGE_LIMIT_MAX + 1 rows as cached (the same array until the next load, so a
   * caller may key its own derived pages on it), and whether they are the cache's.
   */
  async cachedRows(since?: number): Promise<{ rows: readonly Post[]; cached: boolean }> {
    return this.current(since);
  }

  /**
   * The first page for `limit`, rendered once per cached load (`render` is called with the
   * limit+1 rows): every reader of the same page shares the rendering, without serialising or
   * encoding it again. What differs per reader is patched in by the caller (timeline/get.ts).
   */
  async newestRendered<T>(limit: number, render: (rows: Post[]) => T, since?: number): Promise<T> {
    const { rows, cached } = await this.current(since);
    if (!cached) return render(rows.slice(0, limit + 1));
    let page = this.rendered.get(limit) as T | undefined;
    if (page === undefined) this.rendered.set(limit, (page = render(rows.slice(0, limit + 1))));
    return page;
  }

  /** `since`: when the request arrived (performance.now()), to share its version read (versions.ts). */
  private async current(since?: number): Promise<{ rows: Post[]; cached: boolean }> {
    if (!this.enabled) return { rows: await this.load(), cached: false };
    const version = this.currentVersion ? await this.currentVersion(since) : undefined;
    if (this.rows && version === this.rowsVersion && this.now() - this.loadedAtMs < MAX_AGE_MS) {
      this.lookups.hits++;
      return { rows: this.rows, cached: true };
    }
    this.lookups.misses++;
    const rows = await this.refresh(version);
    return { rows, cached: rows === this.rows };
  }

  invalidate(): void {
    this.generation++;
    this.rows = null;
    this.rendered.clear();
    this.loading = null;
  }

  private refresh(version: string | undefined): Promise<Post[]> {
    // One load at a time; a load that an invalidation overtook is neither kept nor shared.
    // The version was read before the rows, so rows are never labelled newer than they are.
    if (this.loading && version === this.loadingVersion) return this.loading;
    const generation = this.generation;
    const startedAtMs = this.now();
    const loading = this.load().then((rows) => {
      if (generation === this.generation) {
        this.rows = rows;
        this.rendered.clear();
        this.rowsVersion = version;
        this.loadedAtMs = startedAtMs;
      }
      return rows;
    }).finally(() => {
      if (this.loading === loading) this.loading = null;
    });
    this.loading = loading;
    this.loadingVersion = version;
    return loading;
  }
}

