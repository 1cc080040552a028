// What the user's own actions changed on posts (a like, a repost, a reply's count), laid
// over every list that shows them: the same post in Home, Global, a profile and a thread moves
// at once, before the server answers (optimistic), and back if it refuses.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import type { SocialPost } from "../social.js";

export type PostPatch = Partial<Pick<SocialPost, "liked" | "like_count" | "reposted" | "repost_count" | "reply_count">> & {
  /** When the server answered the action (absent while it is on its way). */
  settledAt?: number;
};

/** Timelines' counts may lag the action by this much (social.md): a post fetched sooner after
 * the answer keeps the patch. */
const COUNTS_LAG_MS = 2_000;

/** When each post object's request started (stamped by the feeds), so a post fetched after an
 * action was answered is the server's word and the patch steps aside. */
const fetchedAt = new WeakMap<object, number>();

export function stampFetched(posts: readonly object[], startedAt: number): void {
  for (const post of posts) fetchedAt.set(post, startedAt);
}

export interface PostPatches {
  /** The post with what the user's actions changed on it (the same object when nothing did). */
  patched: (post: SocialPost) => SocialPost;
  /** The patch on a post now (for rolling back to it). */
  get: (id: string) => PostPatch | undefined;
  /** Sets (or, with undefined, drops) a post's patch. */
  set: (id: string, patch: PostPatch | undefined) => void;
  /** Sets a post's patch as the server answered it, stamped now (see settledAt). */
  settle: (id: string, patch: Omit<PostPatch, "settledAt">) => void;
}

export function usePostPatches(): PostPatches {
  const [patches, setPatches] = useState<ReadonlyMap<string, PostPatch>>(new Map());
  // The patches as of the last `set`, for reads between renders: `set` is the only writer of
  // `patches`, and it updates this ref first, so it never lags behind a render.
  const live = useRef(patches);
  const set = useCallback((id: string, patch: PostPatch | undefined) => {
    const next = new Map(live.current);
    if (patch) next.set(id, patch);
    else next.delete(id);
    live.current = next;
    setPatches(next);
  }, []);
  const get = useCallback((id: string) => live.current.get(id), []);
  const settle = useCallback((id: string, patch: Omit<PostPatch, "settledAt">) => set(id, { ...patch, settledAt: Date.now() }), [set]);
  const patched = useCallback(
    (post: SocialPost): SocialPost => {
      const patch = patches.get(post.id);
      if (!patch) return post;
      const fetched = fetchedAt.get(post);
      if (patch.settledAt !== undefined && fetched !== undefined && fetched > patch.settledAt + COUNTS_LAG_MS) return post;
      const { settledAt: _settled, ...fields } = patch;
      return { ...post, ...fields };
    },
    [patches],
  );
  return useMemo(() => ({ patched, get, set, settle }), [patched, get, set, settle]);
}

const PatchedContext = createContext<(post: SocialPost) => SocialPost>((post) => post);

export function PatchedProvider(props: { patched: (post: SocialPost) => SocialPost; children: ReactNode }): ReactNode {
  return <PatchedContext.Provider value={props.patched}>{props.children}</PatchedContext.Provider>;
}

export function usePatched(): (post: SocialPost) => SocialPost {
  return useContext(PatchedContext);
}
