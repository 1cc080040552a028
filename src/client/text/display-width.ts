// Display-width helpers: terminals lay text out in cells, and CJK characters and most
// emoji take two cells, so lengths are always measured with string-width. Emoji with a skin
// tone (👍🏽) are where terminals disagree: most draw one in 2 cells, tmux 3.3 draws the emoji
// and the tone apart, in 4 (measured by cursor position; ZWJ families and flags it draws in 2).
// Inside a multiplexer the text handed to the terminal gets a zero-width space between emoji and
// tone (forTerminal; tmux draws the same, width 0), so string-width — ours and Ink's, which lays
// out boxes — counts the 4 cells tmux draws: no line spills over the edge (that scrolls the whole
// screen) and box borders stay where Ink put them.
import stringWidth from "string-width";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** An emoji modifier (skin tone) right after the emoji it modifies. */
const TONE_AFTER_EMOJI = /(?<=\p{Extended_Pictographic}\uFE0F?)(?=[\u{1F3FB}-\u{1F3FF}])/gu;
const MAY_HAVE_TONE = /[\u{1F3FB}-\u{1F3FF}]/u;

/** tmux or GNU screen, which lay emoji sequences out part by part. */
export function insideMultiplexer(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.TMUX || env.STY) || /^(tmux|screen)/.test(env.TERM ?? "");
}

let sequencesByParts = insideMultiplexer(process.env);

/** For tests: lay emoji and skin tone apart (as inside tmux) or as one. */
export function measureSequencesByParts(on: boolean): void {
  sequencesByParts = on;
}

/** The text as it is handed to the terminal (every painted string goes through it). */
export function forTerminal(text: string): string {
  return sequencesByParts && MAY_HAVE_TONE.test(text) ? text.replace(TONE_AFTER_EMOJI, "\u200B") : text;
}

/** Cells the text occupies in a terminal. */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  return stringWidth(forTerminal(text));
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
