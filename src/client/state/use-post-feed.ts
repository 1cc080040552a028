// A paged list of posts (the timeline, or one user's posts) with its selection. Pages are
// followed by next_cursor; a post already loaded is never added twice.
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Post, PostPage } from "../../api/index.js";
import { entryKey, type SocialPost } from "../social.js";
import { stampFetched } from "./post-patches.js";
import { describeError } from "../api-errors.js";

export const PAGE_SIZE = 50;
/** Start loading the next page this many posts before the end, so scrolling never stalls. */
const PREFETCH_DISTANCE = 5;

export interface FeedState {
  posts: Post[];
  selected: number;
  nextCursor: string | null;
  hasMore: boolean;
  /** The first page has arrived at least once. */
  loaded: boolean;
  loadingMore: boolean;
  refreshing: boolean;
  /** The last refresh failed (the status line said why). */
  failed: boolean;
  /** Entries the live stream brought, newest first, not shown yet (the `▲ N new posts` bar). */
  incoming: Post[];
  /** After a stream `reset`: the newest page, fetched in the background, to show with them. */
  fresh: PostPage | null;
}

export interface Feed extends FeedState {
  refresh(selectId?: string): Promise<void>;
  loadMore(): Promise<void>;
  select(index: number): void;
  /** Moves the selection relative to where it is now (not where the last render saw it). */
  move(delta: number): void;
  /** The selected index right now. */
  selectedNow(): number;
  remove(id: string): void;
  /** Drops one repost entry (`delete` with `repost_by`). */
  removeRepost(id: string, by: string): void;
  /** Drops everything by this user: their posts and their repost entries (a block, a mute). */
  removeAuthor(userId: string): void;
  /** A live post: waits in `incoming` (never moves what is read) unless already listed. */
  offer(post: Post): void;
  /** A fresh newest page (after a `reset`): offered through the same bar. */
  offerPage(page: PostPage): void;
  /** Shows what is incoming and selects the newest; false when there was nothing. */
  showIncoming(): boolean;
  /** Puts a post just created at the top and selects it (a refresh follows). */
  prepend(post: Post): void;
  /** Forgets everything (another account is next), dropping any page on its way. */
  reset(): void;
  /** The state right now, to resume from later (see usePostFeed). */
  snapshot(): FeedState;
  selectedPost: Post | undefined;
}

const INITIAL: FeedState = {
  posts: [],
  selected: 0,
  nextCursor: null,
  hasMore: false,
  loaded: false,
  loadingMore: false,
  refreshing: false,
  failed: false,
  incoming: [],
  fresh: null,
};

/** By entry: a repost entry sits beside the original post (and another's repost of it). */
function appendUnique(posts: Post[], incoming: Post[]): Post[] {
  const seen = new Set(posts.map(entryKey));
  const fresh = incoming.filter((p) => !seen.has(entryKey(p)) && (seen.add(entryKey(p)), true));
  return fresh.length === 0 ? posts : [...posts, ...fresh];
}

/** `resume`: a snapshot of this feed from before (a view opened again), loading nothing new. */
export function usePostFeed(
  fetchPage: (cursor: string | null) => Promise<PostPage>,
  onError: (message: string) => void,
  resume?: FeedState,
): Feed {
  const [state, setState] = useState<FeedState>(() =>
    resume ? { ...resume, loadingMore: false, refreshing: false } : INITIAL,
  );
  const stateRef = useRef(state);
  // The handlers read the committed state (select also writes it ahead, before React renders).
  useLayoutEffect(() => {
    stateRef.current = state;
  }, [state]);
  const busy = useRef(false);
  /** Where the selection was sent past the last loaded post while the next page loads. */
  const pending = useRef<number | null>(null);
  /** Bumped by refresh, so a page that was requested before it is dropped. */
  const generation = useRef(0);

  const refresh = useCallback(
    async (selectId?: string) => {
      const gen = ++generation.current;
      busy.current = true;
      pending.current = null;
      setState((s) => ({ ...s, refreshing: true }));
      try {
        const started = Date.now();
        const page = await fetchPage(null);
        if (gen !== generation.current) return;
        stampFetched(page.posts, started);
        setState((s) => {
          // At the top, a refresh shows what is new at the top; further down it keeps its place.
          const keepId = selectId ?? (s.selected > 0 ? s.posts[s.selected]?.id : undefined);
          const posts = appendUnique([], page.posts);
          const found = keepId ? posts.findIndex((p) => p.id === keepId) : -1;
          return {
            posts,
            selected: found >= 0 ? found : 0,
            nextCursor: page.next_cursor,
            hasMore: page.has_more,
            loaded: true,
            loadingMore: false,
            refreshing: false,
            failed: false,
            incoming: [],
            fresh: null,
          };
        });
      } catch (error) {
        if (gen !== generation.current) return;
        setState((s) => ({ ...s, refreshing: false, failed: true }));
        onError(describeError(error));
      } finally {
        if (gen === generation.current) {
          busy.current = false;
          pending.current = null;
        }
      }
    },
    [fetchPage, onError],
  );

  const loadMore = useCallback(async () => {
    const current = stateRef.current;
    if (busy.current || !current.hasMore || !current.nextCursor) return;
    const gen = generation.current;
    busy.current = true;
    setState((s) => ({ ...s, loadingMore: true }));
    try {
      const started = Date.now();
      const page = await fetchPage(current.nextCursor);
      if (gen !== generation.current) return;
      stampFetched(page.posts, started);
      // Keys pressed past the end while this page loaded take effect now.
      const wanted = pending.current;
      pending.current = null;
      setState((s) => {
        const posts = appendUnique(s.posts, page.posts);
        const selected = wanted === null ? s.selected : Math.min(wanted, posts.length - 1);
        return { ...s, posts, selected, nextCursor: page.next_cursor, hasMore: page.has_more, loadingMore: false };
      });
    } catch (error) {
      if (gen !== generation.current) return;
      pending.current = null;
      setState((s) => ({ ...s, loadingMore: false }));
      onError(describeError(error));
    } finally {
      if (gen === generation.current) busy.current = false;
    }
  }, [fetchPage, onError]);

  const select = useCallback(
    (index: number) => {
      const s = stateRef.current;
      // Remembered only while a page is (or is about to be) on its way: a refresh drops it.
      pending.current = index > s.posts.length - 1 && s.hasMore && (s.loadingMore || !busy.current) ? index : null;
      const clamped = Math.max(0, Math.min(index, s.posts.length - 1));
      if (clamped !== s.selected) {
        const next = { ...s, selected: clamped };
        stateRef.current = next;
        setState(next);
      }
      // Moving past the end, or getting near it, fetches the next page.
      if (index >= s.posts.length - PREFETCH_DISTANCE) void loadMore();
    },
    [loadMore],
  );

  const move = useCallback((delta: number) => select((pending.current ?? stateRef.current.selected) + delta), [select]);
  const selectedNow = useCallback(() => stateRef.current.selected, []);

  const dropWhere = useCallback((gone: (p: Post) => boolean) => {
    setState((s) => {
      const incoming = s.incoming.filter((p) => !gone(p));
      // A page waiting behind the bar must not bring them back on `.`.
      const fresh = s.fresh?.posts.some(gone) ? { ...s.fresh, posts: s.fresh.posts.filter((p) => !gone(p)) } : s.fresh;
      if (!s.posts.some(gone)) return incoming.length === s.incoming.length && fresh === s.fresh ? s : { ...s, incoming, fresh };
      // Where it stands: the selected entry stays selected (the next one, if it was the one).
      const kept = s.posts.slice(s.selected).find((p) => !gone(p)) ?? s.posts.slice(0, s.selected).reverse().find((p) => !gone(p));
      const posts = s.posts.filter((p) => !gone(p));
      const selected = kept ? posts.indexOf(kept) : 0;
      return { ...s, posts, incoming, fresh, selected };
    });
  }, []);
  // Every entry of it: the post and the reposts of it.
  const remove = useCallback((id: string) => dropWhere((p) => p.id === id), [dropWhere]);
  const removeRepost = useCallback(
    (id: string, by: string) => dropWhere((p) => p.id === id && (p as SocialPost).repost?.by.id === by),
    [dropWhere],
  );

  // Their posts and the reposts they made: what a block or mute hides from timelines.
  const removeAuthor = useCallback(
    (userId: string) => dropWhere((p) => p.author_id === userId || (p as SocialPost).repost?.by.id === userId),
    [dropWhere],
  );

  const offer = useCallback((post: Post) => {
    setState((s) => {
      if (!s.loaded) return s; // the first page will have it
      const key = entryKey(post);
      if (s.posts.some((p) => entryKey(p) === key) || s.incoming.some((p) => entryKey(p) === key)) return s;
      return { ...s, incoming: [post, ...s.incoming] };
    });
  }, []);

  const offerPage = useCallback((page: PostPage) => {
    setState((s) => {
      const shown = new Set(s.posts.map(entryKey));
      const incoming = appendUnique(s.incoming, page.posts.filter((p) => !shown.has(entryKey(p))));
      return { ...s, fresh: page, incoming };
    });
  }, []);

  const showIncoming = useCallback((): boolean => {
    const s = stateRef.current;
    if (s.incoming.length === 0 && !s.fresh) return false;
    generation.current++; // a page on its way belongs to the list before this one
    busy.current = false;
    pending.current = null;
    const next: FeedState = s.fresh
      ? { ...s, posts: appendUnique(appendUnique([], s.incoming), s.fresh.posts), nextCursor: s.fresh.next_cursor, hasMore: s.fresh.has_more, incoming: [], fresh: null, selected: 0 }
      : { ...s, posts: appendUnique(s.incoming, s.posts), incoming: [], selected: 0 };
    stateRef.current = next;
    setState(next);
    return true;
  }, []);

  const reset = useCallback(() => {
    generation.current++;
    busy.current = false;
    pending.current = null;
    setState(INITIAL);
  }, []);

  const snapshot = useCallback(() => stateRef.current, []);

  const prepend = useCallback((post: Post) => {
    setState((s) => ({ ...s, posts: appendUnique([post], s.posts), selected: 0 }));
  }, []);

  return useMemo(
    () => ({ ...state, refresh, loadMore, select, move, selectedNow, remove, removeRepost, removeAuthor, offer, offerPage, showIncoming, prepend, reset, snapshot, selectedPost: state.posts[state.selected] }),
    [state, refresh, loadMore, select, move, selectedNow, remove, removeRepost, removeAuthor, offer, offerPage, showIncoming, prepend, reset, snapshot],
  );
}
