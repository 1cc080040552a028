// A post's thread (replaces v1's full-post view): the post in full, its ancestors dimmed
// above, its direct replies below (oldest first, paged), each selectable. `v` on another
// post of the thread opens that one's thread over this one, and Esc comes back up.
import { useCallback, useEffect, type ReactNode } from "react";
import type { PostPage } from "../../api/index.js";
import { ApiError } from "../api-errors.js";
import { useServices } from "../app/services.js";
import type { ViewProps } from "../app/view-types.js";
import { applyListCommand, PostList, refreshFeed, type ListGeometry } from "../components/PostList.js";
import { commandFor } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import type { SocialPost } from "../social.js";
import { usePostFeed } from "../state/use-post-feed.js";

export interface ThreadParams {
  post: SocialPost;
}

export function ThreadScreen(props: ViewProps<ThreadParams>): ReactNode {
  const { api } = useServices();
  const { app } = props;
  const { post } = props.params;
  // The first page is the whole conversation around the post; the next pages, more replies.
  const fetchPage = useCallback(
    async (cursor: string | null): Promise<PostPage> => {
      let thread;
      try {
        thread = await api.thread(post.id, cursor);
      } catch (error) {
        // A v1 server has no threads (404 on the route): the post alone, as v1's full view.
        if (cursor || !(error instanceof ApiError) || error.status !== 404) throw error;
        return { posts: [await api.post(post.id)], next_cursor: null, has_more: false };
      }
      const posts = cursor ? thread.replies : [...thread.ancestors, thread.post, ...thread.replies];
      return { posts, next_cursor: thread.next_cursor, has_more: thread.has_more };
    },
    [api, post.id],
  );
  const feed = usePostFeed(fetchPage, app.showError);
  const ancestors = new Set<string>();
  for (const shown of feed.posts) {
    if (shown.id === post.id) break;
    ancestors.add(shown.id);
  }

  useEffect(() => {
    void feed.refresh(post.id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [post.id]);

  // A reply just published here shows among the replies.
  useEffect(() => {
    if (app.lastReply?.reply_to_id === post.id) void feed.refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [app.lastReply]);

  useEffect(() => {
    if (app.deletedPostId && app.deletedPostId !== post.id) feed.remove(app.deletedPostId);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [app.deletedPostId]);

  const geometry: ListGeometry = { width: props.width, height: props.height, maxCardHeight: props.maxCardHeight };
  useKeyHandler(
    LAYER.view,
    (event) => {
      const command = commandFor(event, ["thread"]);
      if (applyListCommand(command, feed, geometry)) return true;
      if (!command) return false;
      if (command === "refresh") {
        refreshFeed(feed, app.status.progress);
        return true;
      }
      const selected = feed.selectedPost;
      // `v` on the thread's own post: it is already open.
      if (command === "view-post" && selected?.id === post.id) return true;
      app.run(command, selected);
      return true;
    },
    props.active,
  );

  return (
    <PostList
      feed={feed}
      geometry={geometry}
      authorOf={(shown) => shown.author}
      emptyMessage="This post is gone."
      endMessage={feed.posts.length - ancestors.size > 1 ? "· No more replies ·" : "· No replies yet — press R to reply ·"}
      dim={props.dim}
      lookOf={(shown) => ({ dim: ancestors.has(shown.id), full: shown.id === post.id })}
    />
  );
}
