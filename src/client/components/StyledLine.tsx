// One line of styled segments, cut (never wrapped) to the width it is given. Cut here, by our
// own measure: Ink's truncate-end is a cell off for wide characters, and a line one cell too
// long wraps in the terminal and scrolls the whole screen.
import { memo, type ReactNode } from "react";
import { Text } from "ink";
import { fitLine, type Line } from "../list/card-layout.js";
import { useTheme } from "../app/services.js";

export const StyledLine = memo(function StyledLine(props: { line: Line; width: number; dim?: boolean }): ReactNode {
  const theme = useTheme();
  const line = fitLine(props.line, props.width);
  return (
    <Text wrap="truncate-end">
      {line.every((segment) => segment.text === "") ? " " : line.map((segment) => theme.paint(segment.token, segment.text, props.dim)).join("")}
    </Text>
  );
});

/** Lines as one pre-styled string: a single text node however many lines are shown. */
export const StyledBlock = memo(function StyledBlock(props: { lines: Line[]; width: number; dim?: boolean }): ReactNode {
  const theme = useTheme();
  const text = props.lines
    .map((line) => fitLine(line, props.width).map((segment) => theme.paint(segment.token, segment.text, props.dim)).join(""))
    .join("\n");
  return <Text wrap="truncate-end">{text}</Text>;
});
