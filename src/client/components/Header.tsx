// The header line: product name, @you once logged in, and the current view — on a timeline,
// the tabs (`1 Home  [2 Global]  3 Notifications (4)`, shortened to `H [G] N(4)` below 60 columns).
import type { ReactNode } from "react";
import { Box, Text } from "ink";
import { useTheme } from "../app/services.js";
import type { Tab } from "../app/view-types.js";
import type { Segment } from "../list/card-layout.js";
import { truncateToWidth } from "../text/display-width.js";

/** Below this width the tabs shorten to their initials. */
export const NARROW_HEADER = 60;

const TABS = [
  { key: "1", name: "Home", short: "H", tab: "home" },
  { key: "2", name: "Global", short: "G", tab: "global" },
  { key: "3", name: "Notifications", short: "N", tab: "notifications" },
] as const;

export function tabSegments(current: Tab, width: number, unread = 0): Segment[] {
  const narrow = width < NARROW_HEADER;
  const out: Segment[] = [];
  TABS.forEach((t, i) => {
    if (i > 0) out.push({ text: narrow ? " " : "  " });
    const count = t.tab === "notifications" && unread > 0 ? (narrow ? `(${unread})` : ` (${unread})`) : "";
    const label = (narrow ? t.short : `${t.key} ${t.name}`) + count;
    out.push(t.tab === current ? { text: `[${label}]`, token: "accent" } : { text: label });
  });
  return out;
}

export function Header(props: { username: string | null; view: string; tab?: Tab | undefined; unread?: number; width: number }): ReactNode {
  const theme = useTheme();
  const right: Segment[] = props.tab ? tabSegments(props.tab, props.width, props.unread) : [{ text: props.view, token: "title" }];
  const rightWidth = right.reduce((n, s) => n + s.text.length, 0);
  const left = props.username ? ` · @${props.username}` : "";
  const room = Math.max(0, props.width - "niotebook".length - rightWidth - 2);
  return (
    <Box width={props.width} height={1}>
      <Box flexGrow={1}>
        <Text wrap="truncate-end">
          <Text>{theme.paint("accent", "niotebook")}</Text>
          <Text>{theme.paint("username", truncateToWidth(left, room))}</Text>
        </Text>
      </Box>
      <Text>{right.map((s) => theme.paint(s.token, s.text)).join("")} </Text>
    </Box>
  );
}
