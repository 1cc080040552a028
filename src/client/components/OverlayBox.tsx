// A bordered box drawn over the content area. Every line is padded to the box width so
// the view underneath is fully covered.
import type { ReactNode } from "react";
import { Box, Text } from "ink";
import type { Line } from "../list/card-layout.js";
import { useTheme } from "../app/services.js";
import { displayWidth, padToWidth, truncateToWidth } from "../text/display-width.js";
import { StyledLine } from "./StyledLine.js";

export function OverlayBox(props: {
  title: string;
  /** Text right of the title, e.g. a counter. */
  badge?: Line;
  lines: Line[];
  footer?: string;
  width: number;
  areaWidth: number;
  areaHeight: number;
}): ReactNode {
  const theme = useTheme();
  const inner = Math.max(4, props.width - 4);
  const height = props.lines.length + 2 + (props.footer ? 1 : 0);
  const top = Math.max(0, Math.floor((props.areaHeight - height) / 2));
  const left = Math.max(0, Math.floor((props.areaWidth - props.width) / 2));
  const paintBorder = (text: string): string => theme.paint("accent", text);
  const badgeWidth = props.badge ? props.badge.reduce((n, s) => n + displayWidth(s.text), 0) : 0;
  const title = truncateToWidth(` ${props.title} `, Math.max(1, props.width - 4 - badgeWidth));
  const topFill = Math.max(0, props.width - 3 - displayWidth(title) - badgeWidth - (props.badge ? 2 : 0));
  const pad = (line: Line): Line => {
    const used = line.reduce((n, s) => n + displayWidth(s.text), 0);
    if (used > inner) return [{ text: truncateToWidth(line.map((s) => s.text).join(""), inner) }];
    return used < inner ? [...line, { text: " ".repeat(inner - used) }] : line;
  };
  return (
    <Box position="absolute" marginTop={top} marginLeft={left} flexDirection="column" width={props.width}>
      <Text>
        <Text>{paintBorder(`╭─${title}`)}</Text>
        <Text>{paintBorder("─".repeat(topFill))}</Text>
        {props.badge ? (
          <>
            <Text> </Text>
            <StyledLine line={props.badge} width={badgeWidth} />
            <Text> </Text>
          </>
        ) : null}
        <Text>{paintBorder("╮")}</Text>
      </Text>
      {props.lines.map((line, i) => (
        <Text key={i}>
          <Text>{paintBorder("│ ")}</Text>
          <StyledLine line={pad(line)} width={inner} />
          <Text>{paintBorder(" │")}</Text>
        </Text>
      ))}
      {props.footer ? (
        <Text>
          <Text>{paintBorder("│ ")}</Text>
          <Text>{theme.paint("dim", padToWidth(truncateToWidth(props.footer, inner), inner))}</Text>
          <Text>{paintBorder(" │")}</Text>
        </Text>
      ) : null}
      <Text>{paintBorder(`╰${"─".repeat(Math.max(0, props.width - 2))}╯`)}</Text>
    </Box>
  );
}
