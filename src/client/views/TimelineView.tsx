// The timelines: Home (you and whom you follow, with reposts) and Global (everyone's posts),
// newest first, as a virtualised list of cards.
import { useEffect, type ReactNode } from "react";
import type { Post } from "../../api/index.js";
import { applyListCommand, PostList, refreshFeed, type ListGeometry } from "../components/PostList.js";
import { commandFor, type CommandId } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import type { Feed } from "../state/use-post-feed.js";
import type { ViewProps } from "../app/view-types.js";
import { Box } from "ink";
import { StyledLine } from "../components/StyledLine.js";

export const EMPTY_TIMELINE = "No posts yet — press n to write the first one.";
export const EMPTY_HOME = "Your home feed shows people you follow — find them on Global (2) or with / search";

export type TimelineName = "home" | "global";
export const TIMELINE_TITLES: Record<TimelineName, string> = { home: "Home", global: "Global" };

export function TimelineView(props: {
  feed: Feed;
  emptyMessage?: string;
  geometry: ListGeometry;
  dim: boolean;
  active: boolean;
  /** Shows progress in the status line until the returned function is called. */
  onProgress: (text: string) => () => void;
  /** Commands that leave the list (compose, open author, view, delete…). */
  onCommand: (command: CommandId, post: Post | undefined) => void;
}): ReactNode {
  const { feed, geometry } = props;
  useKeyHandler(
    LAYER.view,
    (event) => {
      const command = commandFor(event, ["timeline"]);
      // `.`, or `g` at the top, shows what the bar announces (and selects the newest).
      if (command === "show-new" || (command === "list-first" && feed.selectedNow() === 0 && (feed.incoming.length > 0 || feed.fresh))) {
        feed.showIncoming();
        return true;
      }
      if (applyListCommand(command, feed, geometry)) return true;
      if (command === "refresh") {
        refreshFeed(feed, props.onProgress);
        return true;
      }
      if (command) {
        props.onCommand(command, feed.selectedPost);
        return true;
      }
      return false;
    },
    props.active,
  );
  const bar = newPostsBar(feed);
  const list = (
    <PostList
      feed={feed}
      geometry={bar ? { ...geometry, height: geometry.height - 1 } : geometry}
      authorOf={(post) => post.author}
      emptyMessage={props.emptyMessage ?? EMPTY_TIMELINE}
      endMessage={`· You've reached the oldest post · ${feed.posts.length} ${feed.posts.length === 1 ? "post" : "posts"} ·`}
      dim={props.dim}
    />
  );
  if (!bar) return list;
  return (
    <Box flexDirection="column" height={geometry.height}>
      <StyledLine width={geometry.width} dim={props.dim} line={[{ text: bar, token: "accent" }]} />
      {list}
    </Box>
  );
}

/** The bar over a timeline the stream has news for (none: nothing waiting). */
export function newPostsBar(feed: Pick<Feed, "incoming" | "fresh">): string | null {
  const n = feed.incoming.length;
  if (n > 0) return `▲ ${n} new ${n === 1 ? "post" : "posts"} — press . to show`;
  return feed.fresh ? "▲ Timeline updated — press . to show" : null;
}

/** A timeline as a view of the views table. */
export function TimelineScreen(props: ViewProps<{ which: TimelineName }>): ReactNode {
  const { app } = props;
  const { which } = props.params;
  const geometry = { width: props.width, height: props.height, maxCardHeight: props.maxCardHeight };
  const { timelineShown } = app;
  useEffect(() => timelineShown(which), [which, timelineShown]);
  return (
    <TimelineView
      feed={app.feeds[which]}
      emptyMessage={which === "home" ? EMPTY_HOME : EMPTY_TIMELINE}
      geometry={geometry}
      dim={props.dim}
      active={props.active}
      onProgress={app.status.progress}
      onCommand={app.run}
    />
  );
}
