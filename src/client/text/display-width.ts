// Display-width helpers: terminals lay text out in cells, and CJK characters and most
// emoji take two cells, so lengths are always measured with string-width. Emoji sequences
// such as 👍🏽 (thumb + skin tone) or 👨‍👩‍👧 (joined by ZWJ) are where terminals disagree:
// most draw one in 2 cells, but tmux 3.3 and screen draw each part (4 and 6 cells). Inside a
// multiplexer they are measured by their parts, so a line never spills over the edge (which
// scrolls the whole screen); elsewhere as one, so box borders stay in line.
import stringWidth from "string-width";
import { stripVTControlCharacters } from "node:util";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** tmux or GNU screen, which lay emoji sequences out part by part. */
export function insideMultiplexer(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.TMUX || env.STY) || /^(tmux|screen)/.test(env.TERM ?? "");
}

let sequencesByParts = insideMultiplexer(process.env);

/** For tests: measure emoji sequences by their parts (as tmux) or whole. */
export function measureSequencesByParts(on: boolean): void {
  sequencesByParts = on;
}

/** Cells the text occupies in a terminal. */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  if (!sequencesByParts) return stringWidth(text);
  let cells = 0;
  for (const { segment } of segmenter.segment(stripVTControlCharacters(text))) cells += graphemeWidth(segment);
  return cells;
}

function graphemeWidth(grapheme: string): number {
  const whole = stringWidth(grapheme);
  if (grapheme.length === 1) return whole;
  let parts = 0;
  for (const codePoint of grapheme) parts += stringWidth(codePoint);
  return Math.max(whole, parts);
}

/** User-perceived characters (grapheme clusters), so an emoji sequence is never split. */
export function graphemes(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) out.push(segment);
  return out;
}

/** Cuts text to at most `width` cells, ending in "…" when something was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (width <= 0) return "";
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const g of graphemes(text)) {
    const w = displayWidth(g);
    if (used + w > width - 1) break;
    out += g;
    used += w;
  }
  return out + "…";
}

/** Pads with spaces up to `width` cells (never cuts). */
export function padToWidth(text: string, width: number): string {
  const gap = width - displayWidth(text);
  return gap > 0 ? text + " ".repeat(gap) : text;
}
