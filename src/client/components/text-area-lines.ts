// Lays out an edited text (with its cursor) as lines for a box: hard-wrapped by display
// width, the cursor shown as an inverted cell, and scrolled so the cursor stays in view.
import type { Line } from "../list/card-layout.js";
import type { EditorState } from "../text/line-editor.js";
import { displayWidth, graphemes } from "../text/display-width.js";

export interface TextAreaLayout {
  lines: Line[];
  cursorRow: number;
}

export function layoutTextArea(state: EditorState, width: number, opts: { mask?: string; focused?: boolean } = {}): TextAreaLayout {
  const w = Math.max(2, width);
  const rows: Line[] = [];
  let cursorRow = 0;
  let offset = 0;
  for (const logical of state.text.split("\n")) {
    let row = "";
    let rowWidth = 0;
    let cursorInRow: number | null = null; // index into row string where the cursor sits
    const flush = (): void => {
      rows.push(renderRow(row, cursorInRow));
      row = "";
      rowWidth = 0;
      cursorInRow = null;
    };
    for (const raw of graphemes(logical)) {
      const g = opts.mask ? opts.mask : raw === "\t" ? "  " : raw;
      const gw = displayWidth(g);
      if (rowWidth + gw > w - 1 && row !== "") flush();
      if (opts.focused && offset === state.cursor) {
        cursorInRow = row.length;
        cursorRow = rows.length;
      }
      row += g;
      rowWidth += gw;
      offset += raw.length;
    }
    if (opts.focused && offset === state.cursor) {
      cursorInRow = row.length;
      cursorRow = rows.length;
    }
    flush();
    offset += 1; // the newline
  }
  return { lines: rows, cursorRow };

  function renderRow(row: string, cursorAt: number | null): Line {
    if (cursorAt === null) return [{ text: row }];
    const rest = row.slice(cursorAt);
    const under = graphemes(rest)[0] ?? " ";
    return [
      { text: row.slice(0, cursorAt) },
      { text: under, token: "cursor" },
      { text: rest.slice(under === " " && rest === "" ? 0 : under.length) },
    ];
  }
}

/** The rows to show in a box of `height` rows, keeping the cursor's row in view. */
export function windowRows(layout: TextAreaLayout, height: number): Line[] {
  const start = Math.max(0, Math.min(layout.cursorRow - height + 1, layout.lines.length - height));
  return layout.lines.slice(start, start + height);
}

/** A one-line field: the part of the text around the cursor that fits `width` cells. */
export function singleLineView(state: EditorState, width: number, opts: { mask?: string; focused?: boolean } = {}): Line {
  const chars = graphemes(state.text);
  const shown = opts.mask ? chars.map(() => opts.mask!) : chars;
  let cursorIndex = 0;
  for (let i = 0, offset = 0; i < chars.length && offset < state.cursor; i++) {
    offset += chars[i]!.length;
    cursorIndex = i + 1;
  }
  // Scroll horizontally so the cursor (plus one cell for it) fits.
  let start = 0;
  const widthBetween = (a: number, b: number): number => displayWidth(shown.slice(a, b).join(""));
  while (start < cursorIndex && widthBetween(start, cursorIndex) + 1 > width) start++;
  let end = start;
  while (end < shown.length && widthBetween(start, end + 1) <= width - (opts.focused ? 1 : 0)) end++;
  if (!opts.focused) return [{ text: shown.slice(start, end).join("") }];
  const before = shown.slice(start, cursorIndex).join("");
  const under = cursorIndex < end ? shown[cursorIndex]! : " ";
  const after = cursorIndex < end ? shown.slice(cursorIndex + 1, end).join("") : "";
  return [{ text: before }, { text: under, token: "cursor" }, { text: after }];
}
