// The header line: product name, @you once logged in, and the current view.
import type { ReactNode } from "react";
import { Box, Text } from "ink";
import { useTheme } from "../app/services.js";
import { truncateToWidth } from "../text/display-width.js";

export function Header(props: { username: string | null; view: string; width: number }): ReactNode {
  const theme = useTheme();
  const right = props.view;
  const left = props.username ? ` · @${props.username}` : "";
  const room = Math.max(0, props.width - "niotebook".length - right.length - 2);
  return (
    <Box width={props.width} height={1}>
      <Box flexGrow={1}>
        <Text wrap="truncate-end">
          <Text>{theme.paint("accent", "niotebook")}</Text>
          <Text>{theme.paint("username", truncateToWidth(left, room))}</Text>
        </Text>
      </Box>
      <Text>{theme.paint("title", right)} </Text>
    </Box>
  );
}
