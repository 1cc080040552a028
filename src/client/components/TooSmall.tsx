// Shown instead of a broken layout when the terminal is below the minimum size.
import type { ReactNode } from "react";
import { Box, Text } from "ink";

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;
export const TOO_SMALL_MESSAGE = `Terminal too small — resize to at least ${MIN_COLUMNS}×${MIN_ROWS}`;

export function TooSmall(props: { columns: number }): ReactNode {
  return (
    <Box width={Math.max(1, props.columns)}>
      <Text wrap="wrap">{TOO_SMALL_MESSAGE}</Text>
    </Box>
  );
}
