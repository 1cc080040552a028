// A text buffer with a cursor and the editing keys of a readline-style field, as pure
// functions. The cursor is a UTF-16 index that always sits on a grapheme boundary.
import { graphemes } from "./display-width.js";

export interface EditorState {
  text: string;
  cursor: number;
}

export const emptyEditor = (text = ""): EditorState => ({ text, cursor: text.length });

const lineStartOf = (text: string, cursor: number): number => text.lastIndexOf("\n", cursor - 1) + 1;
const lineEndOf = (text: string, cursor: number): number => {
  const end = text.indexOf("\n", cursor);
  return end === -1 ? text.length : end;
};

function previousBoundary(text: string, cursor: number): number {
  if (cursor <= 0) return 0;
  const start = lineStartOf(text, cursor);
  if (start === cursor) return cursor - 1; // step over the newline
  let pos = start;
  let last = start;
  for (const g of graphemes(text.slice(start, cursor))) {
    last = pos;
    pos += g.length;
  }
  return last;
}

function nextBoundary(text: string, cursor: number): number {
  if (cursor >= text.length) return text.length;
  const first = graphemes(text.slice(cursor, lineEndOf(text, cursor) + 1))[0] ?? "";
  return cursor + Math.max(1, first.length);
}

export function insertText(state: EditorState, input: string, multiline = true): EditorState {
  // One line takes no line breaks, nor tabs (a pasted one): the fields that have one line refuse them.
  const clean = multiline ? input.replace(/\r\n?/g, "\n") : input.replace(/[\r\n\t]+/g, " ");
  return {
    text: state.text.slice(0, state.cursor) + clean + state.text.slice(state.cursor),
    cursor: state.cursor + clean.length,
  };
}

export function deleteBackward(state: EditorState): EditorState {
  if (state.cursor === 0) return state;
  const to = previousBoundary(state.text, state.cursor);
  return { text: state.text.slice(0, to) + state.text.slice(state.cursor), cursor: to };
}

export function deleteForward(state: EditorState): EditorState {
  if (state.cursor >= state.text.length) return state;
  const to = nextBoundary(state.text, state.cursor);
  return { text: state.text.slice(0, state.cursor) + state.text.slice(to), cursor: state.cursor };
}

export const moveLeft = (s: EditorState): EditorState => ({ ...s, cursor: previousBoundary(s.text, s.cursor) });
export const moveRight = (s: EditorState): EditorState => ({ ...s, cursor: nextBoundary(s.text, s.cursor) });
export const lineStart = (s: EditorState): EditorState => ({ ...s, cursor: lineStartOf(s.text, s.cursor) });
export const lineEnd = (s: EditorState): EditorState => ({ ...s, cursor: lineEndOf(s.text, s.cursor) });

/** Ctrl+U: delete from the start of the line to the cursor. */
export function killToLineStart(s: EditorState): EditorState {
  const start = lineStartOf(s.text, s.cursor);
  return { text: s.text.slice(0, start) + s.text.slice(s.cursor), cursor: start };
}

/** Ctrl+K: delete from the cursor to the end of the line (at the end, join the next line). */
export function killToLineEnd(s: EditorState): EditorState {
  let end = lineEndOf(s.text, s.cursor);
  if (end === s.cursor && end < s.text.length) end += 1;
  return { text: s.text.slice(0, s.cursor) + s.text.slice(end), cursor: s.cursor };
}

/** Ctrl+W: delete the word before the cursor (and the white space after it). */
/** Ctrl+W: the word before the cursor and the blanks after it; at a line's start, only the line break. */
export function deleteWordBackward(s: EditorState): EditorState {
  let pos = s.cursor;
  if (s.text[pos - 1] === "\n") pos--;
  else {
    while (pos > 0 && /[^\S\n]/.test(s.text[pos - 1]!)) pos--;
    while (pos > 0 && !/\s/.test(s.text[pos - 1]!)) pos--;
  }
  return { text: s.text.slice(0, pos) + s.text.slice(s.cursor), cursor: pos };
}

/** Up/down: same column (in characters) on the neighbouring line, clamped to its length. */
export function moveVertical(s: EditorState, direction: -1 | 1): EditorState {
  const start = lineStartOf(s.text, s.cursor);
  const column = graphemes(s.text.slice(start, s.cursor)).length;
  let targetStart: number;
  if (direction < 0) {
    if (start === 0) return { ...s, cursor: 0 };
    targetStart = lineStartOf(s.text, start - 1);
  } else {
    const end = lineEndOf(s.text, s.cursor);
    if (end === s.text.length) return { ...s, cursor: s.text.length };
    targetStart = end + 1;
  }
  const targetEnd = lineEndOf(s.text, targetStart);
  let cursor = targetStart;
  let count = 0;
  for (const g of graphemes(s.text.slice(targetStart, targetEnd))) {
    if (count === column) break;
    cursor += g.length;
    count++;
  }
  return { ...s, cursor };
}
