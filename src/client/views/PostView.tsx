// One post in full (cards cut long posts; this never does).
import { useState, type ReactNode } from "react";
import { Box } from "ink";
import type { Post } from "../../api/index.js";
import { useServices } from "../app/services.js";
import type { ViewProps } from "../app/view-types.js";
import { StyledLine } from "../components/StyledLine.js";
import { commandFor, type CommandId } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import type { Line } from "../list/card-layout.js";
import { formatRelativeTime } from "../text/relative-time.js";
import { wrapText } from "../text/wrap.js";

export function postViewLines(post: Post, username: string, width: number, now: Date): Line[] {
  const lines: Line[] = [
    [
      { text: `@${username}`, token: "username" },
      ...(post.author ? [{ text: `  ${post.author.display_name}`, token: "title" as const }] : []),
      { text: ` · ${formatRelativeTime(post.created_at, now)}`, token: "dim" },
    ],
    [],
  ];
  for (const text of wrapText(post.content, width - 2)) lines.push([{ text }]);
  lines.push([]);
  lines.push([{ text: new Date(post.created_at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }), token: "dim" }]);
  return lines;
}

export function PostView(props: {
  post: Post;
  username: string;
  width: number;
  height: number;
  dim: boolean;
  active: boolean;
  onCommand: (command: CommandId, post: Post) => void;
}): ReactNode {
  const { now } = useServices();
  const [offset, setOffset] = useState(0);
  const lines = postViewLines(props.post, props.username, props.width - 2, now());
  const maxOffset = Math.max(0, lines.length - props.height);
  const scrollTo = (n: number): void => setOffset(Math.max(0, Math.min(maxOffset, n)));
  useKeyHandler(
    LAYER.view,
    (event) => {
      const command = commandFor(event, ["post"]);
      const page = Math.max(1, props.height - 1);
      switch (command) {
        case null:
          return false;
        case "post-scroll-down":
          scrollTo(offset + 1);
          return true;
        case "post-scroll-up":
          scrollTo(offset - 1);
          return true;
        case "post-page-down":
          scrollTo(offset + page);
          return true;
        case "post-page-up":
          scrollTo(offset - page);
          return true;
        case "post-top":
          scrollTo(0);
          return true;
        case "post-end":
          scrollTo(maxOffset);
          return true;
        default:
          props.onCommand(command, props.post);
          return true;
      }
    },
    props.active,
  );
  const shown = Math.min(offset, maxOffset);
  return (
    <Box flexDirection="column" height={props.height} paddingLeft={2}>
      {lines.slice(shown, shown + props.height).map((line, i) => (
        <StyledLine key={i} line={line} width={Math.max(1, props.width - 2)} dim={props.dim} />
      ))}
    </Box>
  );
}

/** A post in full, as a view of the views table. */
export function PostScreen(props: ViewProps<{ post: Post }>): ReactNode {
  const { post } = props.params;
  return (
    <PostView
      post={post}
      username={post.author?.username ?? ""}
      width={props.width}
      height={props.height}
      dim={props.dim}
      active={props.active}
      onCommand={(command, shown) => props.app.run(command, shown)}
    />
  );
}
