// The global timeline per reader without costing readers who block and mute no one: a
// per-process cache of "does this user take part in any block or mute" (as blocker, blocked
// or muter). A reader without any keeps the shared, cached first page untouched; only a
// reader with some gets the filtered query (filteredTimelinePage). The routes that change a
// block or mute call changed() for both users, so this process reads its writes at once.
// With workers on PostgreSQL, changed() also advances the safety_version sequence and every
// lookup compares it (read with the timeline's version in one coalesced statement, versions.ts):
// a process that sees a new version forgets every answer, so no process serves a stale "no".
import { sql, type Kysely } from "kysely";
import { PAGE_LIMIT_MAX, type Post } from "../../api/index.js";
import { paginateV1, timeIdKeyset, v1Shape, v1Values, type V1Start } from "../db/pagination.js";
import type { Database } from "../db/schema.js";
import type { AppContext } from "../context.js";
import { sharedVersions, type VersionRead } from "../timeline/versions.js";
import { selectPostsWithAuthor, withAuthor } from "../posts/queries.js";
import { visibleTo } from "../social/common.js";

type Db = Kysely<Database>;

/** Entries kept at most; beyond it the oldest answers are forgotten (asked again when needed). */
const CAPACITY = 100_000;

export class SafetyReaders {
  private readonly known = new Map<string, boolean>();
  /** The authors each reader must not see (blocked either way, or muted), for in-memory filtering. */
  private readonly hidden = new Map<string, ReadonlySet<string>>();
  private readonly pending = new Map<string, Promise<boolean>>();
  /** Bumped by every change, so an answer read before a change is not cached after it. */
  private generation = 0;

  /** The safety_version the answers were read at (several processes only). */
  private version: string | undefined;
  private readonly currentVersion: VersionRead | undefined;

  /** `shared`: other processes write to the same database (workers on PostgreSQL). */
  constructor(private readonly db: Db, private readonly shared = false) {
    const versions = shared ? sharedVersions(db) : undefined;
    this.currentVersion = versions && (async (since) => (await versions(since)).safety);
  }

  /**
   * True when `userId` blocks, is blocked by or mutes anyone: their lists need the filter.
   * `since`: when the request arrived (performance.now()), to share its version read.
   */
  async needsFilter(userId: string, since?: number): Promise<boolean> {
    await this.checkVersion(since);
    const cached = this.known.get(userId);
    if (cached !== undefined) return cached;
    let asking = this.pending.get(userId);
    if (!asking) {
      const generation = this.generation;
      asking = this.ask(userId).then((answer) => {
        if (generation === this.generation) this.remember(userId, answer);
        return answer;
      }).finally(() => this.pending.delete(userId));
      this.pending.set(userId, asking);
    }
    return asking;
  }

  /**
   * The authors `userId` must not see: blocked either way, or muted. The same Set object until
   * a change concerns the user (or, with several processes, any change), so a caller may key
   * what it derives from it on its identity.
   */
  async hiddenAuthors(userId: string, since?: number): Promise<ReadonlySet<string>> {
    await this.checkVersion(since);
    const cached = this.hidden.get(userId);
    if (cached) return cached;
    const generation = this.generation;
    const result = await sql<{ id: string }>`SELECT blocked_id AS id FROM blocks WHERE blocker_id = ${userId}::uuid
      UNION SELECT blocker_id FROM blocks WHERE blocked_id = ${userId}::uuid
      UNION SELECT muted_id FROM mutes WHERE muter_id = ${userId}::uuid`.execute(this.db);
    const set: ReadonlySet<string> = new Set(result.rows.map((row) => row.id));
    if (generation === this.generation) {
      if (this.hidden.size >= CAPACITY) this.hidden.delete(this.hidden.keys().next().value!);
      this.hidden.set(userId, set);
    }
    return set;
  }

  /** A block or mute between these users was made or removed (call after it committed, before answering). */
  async changed(...userIds: string[]): Promise<void> {
    this.generation++;
    for (const id of userIds) {
      this.known.delete(id);
      this.hidden.delete(id);
      this.pending.delete(id);
    }
    if (this.shared) await sql`SELECT nextval('safety_version')`.execute(this.db);
  }

  private async checkVersion(since?: number): Promise<void> {
    if (!this.currentVersion) return;
    const version = await this.currentVersion(since);
    if (version !== this.version) {
      this.forgetAll();
      this.version = version;
    }
  }

  private forgetAll(): void {
    this.hidden.clear();
    this.generation++;
    this.known.clear();
    this.pending.clear();
  }

  private async ask(userId: string): Promise<boolean> {
    const result = await sql<{ any: boolean }>`SELECT
      EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${userId}::uuid)
      OR EXISTS (SELECT 1 FROM blocks WHERE blocked_id = ${userId}::uuid)
      OR EXISTS (SELECT 1 FROM mutes WHERE muter_id = ${userId}::uuid) AS any`.execute(this.db);
    return result.rows[0]!.any;
  }

  private remember(userId: string, answer: boolean): void {
    if (this.known.size >= CAPACITY) this.known.delete(this.known.keys().next().value!);
    this.known.set(userId, answer);
  }
}

// One cache per database handle (a test process runs several apps, each its own database).
const caches = new WeakMap<Db, SafetyReaders>();

/** The app's cache (made on first use; shared across processes only with workers on PostgreSQL). */
export function safetyReaders(ctx: Pick<AppContext, "db" | "database" | "config">): SafetyReaders {
  let cache = caches.get(ctx.db);
  if (!cache) caches.set(ctx.db, cache = new SafetyReaders(ctx.db, ctx.database.kind === "postgres" && ctx.config.workers > 1));
  return cache;
}

const timelineKeyset = timeIdKeyset("posts.created_at", "posts.id");

/**
 * The global timeline as `viewer` may see it (blocked either way and muted authors left out),
 * newest first, limit+1 rows: for readers whose needsFilter() is true; the v1 shape, paged
 * exactly like timeline/queries.ts timelinePage (same cursors, list "timeline").
 */
export async function filteredTimelinePage(db: Db, viewer: string, start: V1Start | undefined, limit: number): Promise<Post[]> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) throw new RangeError(`page size ${limit}`);
  const rows = await paginateV1(
    selectPostsWithAuthor(db).where(visibleTo(viewer, sql`posts.author_id`)),
    timelineKeyset, v1Shape(start), v1Values(start),
  ).limit(sql.lit(limit + 1)).execute();
  return rows.map(withAuthor);
}

/**
 * What timeline/get.ts calls for a reader: undefined when the reader needs no filter (serve
 * the shared first page or timelinePage as before), else the filtered page.
 */
export async function readerTimelinePage(ctx: Pick<AppContext, "db" | "database" | "config">, viewer: string,
  start: V1Start | undefined, limit: number, since?: number): Promise<Post[] | undefined> {
  if (!await safetyReaders(ctx).needsFilter(viewer, since)) return undefined;
  return filteredTimelinePage(ctx.db, viewer, start, limit);
}

interface OwnFirstPage<T> {
  rows: readonly Post[];
  hidden: ReadonlySet<string>;
  limit: number;
  page: T;
}

/** Readers' own first pages, for the cached rows they were cut from (one second at most). */
class OwnFirstPages {
  private rows: readonly Post[] | null = null;
  readonly byReader = new Map<string, OwnFirstPage<unknown>>();

  forRows(rows: readonly Post[]): Map<string, OwnFirstPage<unknown>> {
    if (rows !== this.rows) {
      this.rows = rows;
      this.byReader.clear();
    }
    return this.byReader;
  }
}
const ownPages = new WeakMap<Db, OwnFirstPages>();
/** Readers' pages kept at most per cached load (each holds one rendered page). */
const OWN_PAGES_CAPACITY = 2_000;

/**
 * The first page of the global timeline for a reader who needs the filter, cut from the
 * first-page cache's rows (the newest PAGE_LIMIT_MAX + 1) with their hidden authors left out:
 * no query when the reader's page and hidden set are as they were. undefined when the cached
 * rows cannot fill the page after filtering (the caller runs filteredTimelinePage), or the
 * cache is off. `render` gets the page's limit+1 rows.
 */
export async function ownFirstPage<T>(ctx: Pick<AppContext, "db" | "database" | "config" | "firstPage">, viewer: string,
  limit: number, render: (rows: Post[]) => T, since?: number): Promise<{ page: T; rows: readonly Post[] } | undefined> {
  if (!ctx.firstPage.enabled) return undefined; // no cached rows to cut from (and no load to waste)
  const hidden = await safetyReaders(ctx).hiddenAuthors(viewer, since);
  const { rows, cached } = await ctx.firstPage.cachedRows(since);
  if (!cached) return undefined;
  let own = ownPages.get(ctx.db);
  if (!own) ownPages.set(ctx.db, own = new OwnFirstPages());
  const pages = own.forRows(rows);
  const known = pages.get(viewer);
  if (known && known.hidden === hidden && known.limit === limit) return { page: known.page as T, rows };
  const kept = rows.filter((post) => !hidden.has(post.author_id));
  // Fewer rows than asked for means the cache holds every post: what is left is all there is.
  const complete = rows.length <= PAGE_LIMIT_MAX;
  if (kept.length < limit + 1 && !complete) return undefined;
  const page = render(kept.slice(0, limit + 1));
  if (pages.size >= OWN_PAGES_CAPACITY) pages.delete(pages.keys().next().value!);
  pages.set(viewer, { rows, hidden, limit, page });
  return { page, rows };
}
