// Shown instead of a broken layout when the terminal is below the minimum size.
import type { ReactNode } from "react";
import { Box, Text } from "ink";
import { wrapText } from "../text/wrap.js";

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;
export const TOO_SMALL_MESSAGE = `Terminal too small — resize to at least ${MIN_COLUMNS}×${MIN_ROWS}`;

export function TooSmall(props: { columns: number; rows: number }): ReactNode {
  // The whole screen, so Ink redraws it from a cleared terminal: a shorter frame is erased line
  // by line from the cursor, which a resize has moved, and left stale lines above.
  return (
    <Box width={Math.max(1, props.columns)} height={Math.max(1, props.rows)} flexDirection="column">
      {/* Our word wrap: Ink's starts a wrapped line with the space it broke at. */}
      {wrapText(TOO_SMALL_MESSAGE, props.columns).map((line, i) => (
        <Text key={i} wrap="truncate">{line}</Text>
      ))}
    </Box>
  );
}
