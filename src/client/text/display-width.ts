// Display-width helpers: terminals lay text out in cells, and CJK characters and most
// emoji take two cells, so lengths are always measured with string-width.
import stringWidth from "string-width";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Cells the text occupies in a terminal. */
export function displayWidth(text: string): number {
  return stringWidth(text);
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
