// A paged list drawn one line per item (notifications, followers/following): the loading and
// empty notes, and a window of lines that scrolls to keep the selected item in view.
import { useLayoutEffect, useRef, useState, type Dispatch, type ReactNode, type RefObject, type SetStateAction } from "react";
import { Box, Text } from "ink";
import { useTheme } from "../app/services.js";
import type { Line } from "../list/card-layout.js";
import { ensureVisible } from "../list/viewport.js";
import { StyledLine } from "./StyledLine.js";

export interface LineListProps<T extends { id: string }> {
  items: readonly T[];
  selected: number;
  /** False until the first page has answered: shows "Loading…". */
  loaded: boolean;
  /** Shown when the loaded list is empty. */
  empty: string;
  lineOf: (item: T, selected: boolean) => Line;
  width: number;
  height: number;
  dim: boolean;
}

export function LineList<T extends { id: string }>(props: LineListProps<T>): ReactNode {
  const theme = useTheme();
  const [shownTop, setShownTop] = useState(0); // the first row shown, kept between renders
  const { items, selected } = props;
  if (!props.loaded) {
    return (
      <Box height={props.height} paddingLeft={2}>
        <Text>{theme.paint("dim", "Loading…")}</Text>
      </Box>
    );
  }
  if (items.length === 0) {
    return (
      <Box height={props.height} paddingLeft={2} paddingTop={1}>
        <Text>{theme.paint("dim", props.empty)}</Text>
      </Box>
    );
  }
  const top = ensureVisible({ selected, top: shownTop, count: items.length, viewport: props.height, heightOf: () => 1, footer: 0 });
  if (top !== shownTop) setShownTop(top); // React renders again at once, and ensureVisible then keeps top
  return (
    <Box flexDirection="column" height={props.height}>
      {items.slice(top, top + props.height).map((item, i) => (
        <StyledLine key={item.id} width={props.width} dim={props.dim} line={props.lineOf(item, top + i === selected)} />
      ))}
    </Box>
  );
}

/** Where a paged list's loading stands: the next page's cursor, whether there is one, and so on. */
export interface PageState {
  cursor: string | null;
  more: boolean;
  loaded: boolean;
  loading: boolean;
}

/** A paged list's page state, and a ref to its latest value for loads started from key handlers between renders. */
export function usePageState(): { page: PageState; setPage: Dispatch<SetStateAction<PageState>>; pageRef: RefObject<PageState> } {
  const [page, setPage] = useState<PageState>({ cursor: null, more: true, loaded: false, loading: false });
  const pageRef = useRef(page);
  useLayoutEffect(() => {
    pageRef.current = page;
  });
  return { page, setPage, pageRef };
}

/**
 * Where a list's move command takes its selection — the key table names them
 * `<list>-down|up|first|last` — or null for any other command.
 */
export function moveTarget(command: string, selected: number, length: number): number | null {
  const move = command.slice(command.lastIndexOf("-") + 1);
  switch (move) {
    case "down":
      return selected + 1;
    case "up":
      return selected - 1;
    case "first":
      return 0;
    case "last":
      return length - 1;
    default:
      return null;
  }
}
