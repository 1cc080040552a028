// Lays out an edited text (with its cursor) as lines for a box: wrapped at word boundaries by
// display width as a published card will be (a word longer than the line is broken), the
// cursor shown as an inverted cell, and scrolled so the cursor stays in view.
import type { Line } from "../list/card-layout.js";
import type { EditorState } from "../text/line-editor.js";
import { displayWidth, graphemes } from "../text/display-width.js";

export interface TextAreaLayout {
  lines: Line[];
  cursorRow: number;
}

/** One grapheme as drawn: where it starts in the text, and whether a line may break after it. */
interface Cell {
  text: string;
  width: number;
  offset: number;
  space: boolean;
  /** White space at a break: takes no room and is not drawn (the cursor can still sit on it). */
  hanging?: boolean;
}

export function layoutTextArea(state: EditorState, width: number, opts: { mask?: string; focused?: boolean } = {}): TextAreaLayout {
  // One cell of every row is kept for the cursor, so it can sit after the last character.
  const room = Math.max(2, width) - 1;
  const lines: Line[] = [];
  let cursorRow = 0;
  let offset = 0;
  for (const logical of state.text.split("\n")) {
    const cells: Cell[] = [];
    for (const raw of graphemes(logical)) {
      const text = opts.mask ? opts.mask : raw === "\t" ? "  " : raw;
      cells.push({ text, width: displayWidth(text), offset, space: !opts.mask && /^\s+$/.test(raw) });
      offset += raw.length;
    }
    const lineEnd = offset;
    const rows = wrapCells(cells, room);
    rows.forEach((row, i) => {
      let cursorAt: number | null = null;
      if (opts.focused) {
        const at = row.findIndex((cell) => cell.offset === state.cursor);
        if (at >= 0) cursorAt = at;
        else if (i === rows.length - 1 && state.cursor === lineEnd) cursorAt = row.length;
      }
      if (cursorAt !== null) cursorRow = lines.length;
      lines.push(renderRow(row, cursorAt));
    });
    offset += 1; // the newline
  }
  return { lines, cursorRow };
}

/**
 * Greedy word wrap, breaking where the card's wrap does (text/wrap.ts): a row ends before a
 * word that does not fit, the white space at the break hangs off the row's end, and a word
 * longer than a row is broken.
 */
function wrapCells(cells: Cell[], room: number): Cell[][] {
  const rows: Cell[][] = [];
  let row: Cell[] = [];
  let used = 0;
  /** Where in `row` the word being written starts (just after the last white space). */
  let wordStart = -1;
  for (const cell of cells) {
    if (cell.space && (used + cell.width > room || row.at(-1)?.hanging)) {
      row.push({ ...cell, hanging: true });
      wordStart = row.length;
      continue;
    }
    if ((used + cell.width > room || row.at(-1)?.hanging) && row.length > 0) {
      const carry = wordStart > 0 && wordStart < row.length ? row.splice(wordStart) : [];
      rows.push(row);
      row = carry;
      used = carry.reduce((sum, c) => sum + c.width, 0);
      wordStart = -1;
      if (used + cell.width > room && row.length > 0) {
        rows.push(row); // a word longer than the line: broken
        row = [];
        used = 0;
      }
    }
    row.push(cell);
    used += cell.width;
    if (cell.space) wordStart = row.length;
  }
  rows.push(row);
  return rows;
}

function renderRow(row: Cell[], cursorAt: number | null): Line {
  const text = (from: number, to?: number): string =>
    row.slice(from, to).map((c) => (c.hanging ? "" : c.text)).join("");
  if (cursorAt === null) return [{ text: text(0) }];
  const under = row[cursorAt];
  return [
    { text: text(0, cursorAt) },
    // On hanging white space the cursor takes the row's one spare cell.
    { text: under && !under.hanging ? under.text : " ", token: "cursor" },
    { text: text(cursorAt + 1) },
  ];
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
