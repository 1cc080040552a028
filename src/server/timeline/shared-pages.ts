// Pages below the first, shared between readers the way the first page is: what a page holds
// changes only when a post is created or deleted, an author edits a profile or leaves (each
// calls timelineChanged, or the user-deleted notification, and drops every page here) — or when
// counts move, which may lag by the same second as the first page's. Each page is a
// FirstPageCache of its own (same freshness rules: the timeline's version across processes,
// never older than a second), keyed by where it starts and its size.
import type { Post } from "../../api/index.js";
import { v1Shape, v1Values, type V1Start } from "../db/pagination.js";
import { FirstPageCache } from "./first-page-cache.js";
import type { VersionRead } from "./versions.js";

/** Pages kept at most; the oldest is dropped for a new one (a page lives a second anyway). */
const CAPACITY = 256;

export class SharedPages {
  private readonly pages = new Map<string, FirstPageCache>();
  /** Off for measuring (NIOTEBOOK_TIMELINE_CACHE=off), with the first page's cache. */
  enabled = true;

  constructor(
    /** Loads limit+1 posts from `start` on, with the shared social fields. */
    private readonly load: (start: V1Start, limit: number) => Promise<Post[]>,
    private readonly now: () => number = Date.now,
    private readonly currentVersion?: VersionRead,
    private readonly capacity = CAPACITY,
  ) {}

  /** The page from `start`, `limit` posts, rendered once per load for every reader (see FirstPageCache.newestRendered). */
  rendered<T>(start: V1Start, limit: number, render: (rows: Post[]) => T, since?: number): Promise<T> {
    const { createdAt, id, before } = v1Values(start);
    const key = `${limit}|${v1Shape(start)}|${createdAt}|${id}|${before}`;
    let page = this.pages.get(key);
    if (!page) {
      if (this.pages.size >= this.capacity) this.pages.delete(this.pages.keys().next().value!);
      page = new FirstPageCache(() => this.load(start, limit), this.now, this.currentVersion);
      page.enabled = this.enabled;
      this.pages.set(key, page);
    }
    return page.newestRendered(limit, render, since);
  }

  invalidate(): void {
    for (const page of this.pages.values()) page.invalidate();
    this.pages.clear();
  }
}
