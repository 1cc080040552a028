// Word wrapping by display width, used for post cards and the full post view.
import { displayWidth, graphemes } from "./display-width.js";

/**
 * Text as shown on a card: CR/CRLF → LF, tabs → two spaces, other control characters
 * dropped, and a run of blank lines collapsed into one.
 */
export function normalizeForDisplay(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, "  ")
    .replace(/[\p{Cc}--\n]/gv, "") // control characters but LF
    .split("\n");
  const out: string[] = [];
  for (const line of lines) {
    const blank = line.trim() === "";
    if (blank && (out.length === 0 || out[out.length - 1] === "")) continue;
    out.push(blank ? "" : line.trimEnd());
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/** Breaks one over-long word into pieces of at most `width` cells. */
function breakWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let used = 0;
  for (const g of graphemes(word)) {
    const w = displayWidth(g);
    if (used + w > width && piece !== "") {
      pieces.push(piece);
      piece = "";
      used = 0;
    }
    piece += g;
    used += w;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}

/** Wraps one line (no newlines) at word boundaries; spaces inside a line are kept. */
function wrapLine(line: string, width: number): string[] {
  if (line === "") return [""];
  const tokens = line.match(/\s+|\S+/g) ?? [];
  const out: string[] = [];
  let current = "";
  let used = 0;
  const flush = (): void => {
    out.push(current.trimEnd());
    current = "";
    used = 0;
  };
  for (const token of tokens) {
    const w = displayWidth(token);
    const isSpace = /^\s/.test(token);
    if (used + w <= width) {
      current += token;
      used += w;
      continue;
    }
    if (isSpace) {
      // A break replaces the white space it happens at.
      flush();
      continue;
    }
    if (used > 0) flush();
    if (w <= width) {
      current = token;
      used = w;
      continue;
    }
    const pieces = breakWord(token, width);
    for (let i = 0; i < pieces.length - 1; i++) out.push(pieces[i]!);
    current = pieces[pieces.length - 1] ?? "";
    used = displayWidth(current);
  }
  if (current !== "" || out.length === 0) flush();
  return out;
}

/** Wraps text to lines of at most `width` display cells. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  return normalizeForDisplay(text).flatMap((line) => wrapLine(line, w));
}
