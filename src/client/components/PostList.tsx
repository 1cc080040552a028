// The virtualised list of post cards shared by the timeline and profiles: only the cards
// on screen are laid out and rendered.
import { memo, useState, type ReactNode } from "react";
import { Box, Text } from "ink";
import type { User } from "../../api/index.js";
import { entryKey, type SocialPost } from "../social.js";
import { useServices, useTheme } from "../app/services.js";
import type { CommandId } from "../keys/bindings.js";
import { cardHeight, cardLines, type Line } from "../list/card-layout.js";
import { formatRelativeTime } from "../text/relative-time.js";
import { ensureVisible, pageSize } from "../list/viewport.js";
import type { Feed } from "../state/use-post-feed.js";
import { StyledBlock } from "./StyledLine.js";
import { useSpinner } from "./use-spinner.js";
import { useMinuteTick } from "./use-minute-tick.js";
import { usePatched } from "../state/post-patches.js";

export interface ListGeometry {
  width: number;
  /** Lines available to the list. */
  height: number;
  /** Tallest a card may be (content height minus two). */
  maxCardHeight: number;
}

/** Moves the selection for a navigation command; false when the command is not one. */
export function applyListCommand(command: CommandId | null, feed: Feed, geometry: ListGeometry): boolean {
  const heightOf = (i: number): number => cardHeight(feed.posts[i]!, geometry.width, geometry.maxCardHeight);
  const count = feed.posts.length;
  const from = feed.selectedNow();
  switch (command) {
    case "list-down":
      feed.move(1);
      return true;
    case "list-up":
      feed.move(-1);
      return true;
    case "list-first":
      feed.select(0);
      return true;
    case "list-last":
      feed.select(count - 1);
      return true;
    case "list-page-down":
      if (count > 0) feed.select(from + pageSize({ from, count, viewport: geometry.height, heightOf, direction: 1 }));
      return true;
    case "list-page-up":
      if (count > 0) feed.select(from - pageSize({ from, count, viewport: geometry.height, heightOf, direction: -1 }));
      return true;
    default:
      return false;
  }
}

/** `r`: reloads the list, with progress in the status line while the list stays on screen. */
export function refreshFeed(feed: Feed, progress: (text: string) => () => void): void {
  const done = progress("Refreshing…");
  void feed.refresh().finally(done);
}

export function PostList(props: {
  feed: Feed;
  geometry: ListGeometry;
  /** The author to show (posts on a profile come without one). */
  authorOf: (post: SocialPost) => User | undefined;
  emptyMessage: string;
  endMessage: string;
  dim?: boolean;
  /** How a post is drawn here: dimmed (a thread's ancestors), in full (the thread's post). */
  lookOf?: (post: SocialPost) => { dim?: boolean; full?: boolean };
}): ReactNode {
  const { feed, geometry } = props;
  const patched = usePatched();
  const { now } = useServices();
  const theme = useTheme();
  const [shownTop, setShownTop] = useState(0); // the first post shown, kept between renders
  const spinner = useSpinner(feed.loadingMore || (feed.refreshing && !feed.loaded));
  useMinuteTick();

  if (!feed.loaded) {
    return (
      <Box height={geometry.height} paddingLeft={2}>
        <Text>{theme.paint("dim", feed.refreshing ? `${spinner} Loading…` : feed.failed ? "Couldn't load — press r to try again." : "")}</Text>
      </Box>
    );
  }
  if (feed.posts.length === 0) {
    return (
      <Box height={geometry.height} paddingLeft={2} paddingTop={1}>
        <Text>{theme.paint("dim", props.emptyMessage)}</Text>
      </Box>
    );
  }

  const footer: Line | null = feed.loadingMore
    ? [{ text: `  ${spinner} Loading more…`, token: "dim" }]
    : !feed.hasMore
      ? [{ text: `  ${props.endMessage}`, token: "dim" }]
      : null;
  // In full: as tall as the list (a post is at most 140 characters, but they can all be line breaks).
  const maxHeightOf = (post: SocialPost): number => (props.lookOf?.(post).full ? geometry.height : geometry.maxCardHeight);
  const heightOf = (i: number): number => cardHeight(feed.posts[i]!, geometry.width, maxHeightOf(feed.posts[i]!));
  const top = ensureVisible({
    selected: feed.selected,
    top: shownTop,
    count: feed.posts.length,
    viewport: geometry.height,
    heightOf,
    footer: footer ? 1 : 0,
  });
  if (top !== shownTop) setShownTop(top); // React renders again at once, and ensureVisible then keeps top

  const currentTime = now();
  const cards: ReactNode[] = [];
  let room = geometry.height;
  for (let i = top; i < feed.posts.length && room > 0; i++) {
    const post = patched(feed.posts[i]!);
    const height = heightOf(i);
    const author = props.authorOf(post);
    cards.push(
      <PostCard
        key={entryKey(post)}
        post={post}
        username={author?.username ?? "unknown"}
        displayName={author?.display_name}
        selected={i === feed.selected}
        width={geometry.width}
        maxHeight={maxHeightOf(post)}
        time={formatRelativeTime(post.created_at, currentTime)}
        ascii={!theme.colors}
        dim={(props.dim ?? false) || (props.lookOf?.(post).dim ?? false)}
        visibleLines={height <= room ? null : room}
      />,
    );
    room -= height;
    if (i === feed.posts.length - 1 && footer && room > 0) {
      cards.push(<StyledBlock key="footer" lines={[footer]} width={geometry.width} dim={props.dim} />);
    }
  }
  return (
    <Box flexDirection="column" height={geometry.height}>
      {cards}
    </Box>
  );
}

/**
 * One card as a single text node, its separator drawn as a bottom border: Ink measures
 * every text node's widest line on every frame, and box-drawing characters take
 * string-width's slow path, so borders keep a frame cheap. Memoised: moving the
 * selection re-renders only the two cards whose marker changed.
 */
const PostCard = memo(function PostCard(props: {
  post: SocialPost;
  username: string;
  displayName: string | undefined;
  ascii: boolean;
  selected: boolean;
  width: number;
  maxHeight: number;
  /** Relative time, part of the props so the card re-renders when it changes. */
  time: string;
  dim: boolean;
  /** When only the top of the card fits: how many lines to show (no separator). */
  visibleLines: number | null;
}): ReactNode {
  const theme = useTheme();
  const { now } = useServices();
  const lines = cardLines({
    post: props.post,
    username: props.username,
    displayName: props.displayName,
    ascii: props.ascii,
    selected: props.selected,
    width: props.width,
    maxHeight: props.maxHeight,
    now: now(),
    withoutSeparator: true,
  });
  if (props.visibleLines !== null) return <StyledBlock lines={lines.slice(0, props.visibleLines)} width={props.width} dim={props.dim} />;
  const border = theme.style("border");
  return (
    <Box
      flexDirection="column"
      width={props.width}
      borderStyle="single"
      borderTop={false}
      borderLeft={false}
      borderRight={false}
      {...(border.color ? { borderColor: border.color } : {})}
      borderDimColor={props.dim && theme.colors}
    >
      <StyledBlock lines={lines} width={props.width} dim={props.dim} />
    </Box>
  );
});
