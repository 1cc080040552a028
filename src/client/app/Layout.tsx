// The screen, drawn from what the shell decided: header, the current view, the status line,
// the overlays, and the too-small guard. No state and no keys of its own.
import type { ReactNode } from "react";
import { Box } from "ink";
import { Header } from "../components/Header.js";
import { MIN_COLUMNS, MIN_ROWS, TooSmall } from "../components/TooSmall.js";
import { StatusLine } from "../components/StatusLine.js";
import type { StatusMessage } from "./status.js";
import type { Tab } from "./view-types.js";

export function Layout(props: {
  terminal: { columns: number; rows: number };
  username: string | null;
  title: string;
  /** The timeline shown, for the header's tabs. */
  tab?: Tab | undefined;
  /** Unread notifications, beside the Notifications tab while there are any. */
  unread: number;
  /** The view, drawn at contentSize(). */
  body: ReactNode;
  /** Drawn over the view, in order (the last on top). */
  overlays: ReactNode[];
  message: StatusMessage | null;
  hints: string;
  prompt: string | null;
}): ReactNode {
  const { terminal } = props;
  const tooSmall = isTooSmall(terminal);
  const { columns, rows, contentHeight } = contentSize(terminal);
  // One tree whatever the size, so nothing remounts when the terminal shrinks: below the
  // minimum the app stays mounted, hidden, at the minimum size.
  return (
    <>
      {tooSmall ? <TooSmall columns={terminal.columns} rows={terminal.rows} /> : null}
      <Box display={tooSmall ? "none" : "flex"} flexDirection="column" width={columns} height={rows}>
        <Header username={props.username} view={props.title} tab={props.tab} unread={props.unread} width={columns} />
        <Box height={contentHeight} flexDirection="column">
          {props.body}
          {props.overlays}
        </Box>
        <StatusLine width={columns} message={props.message} hints={props.hints} prompt={props.prompt} />
      </Box>
    </>
  );
}

export function isTooSmall(terminal: { columns: number; rows: number }): boolean {
  return terminal.columns < MIN_COLUMNS || terminal.rows < MIN_ROWS;
}

/** The drawn size (never below the minimum) and the content area's height. */
export function contentSize(terminal: { columns: number; rows: number }): { columns: number; rows: number; contentHeight: number } {
  const columns = Math.max(terminal.columns, MIN_COLUMNS);
  const rows = Math.max(terminal.rows, MIN_ROWS);
  return { columns, rows, contentHeight: rows - 2 };
}
