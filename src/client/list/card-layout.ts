// How a post card is laid out, as plain data (lines of styled segments), so the virtual
// list can measure cards without rendering them.
import type { Post } from "../../api/index.js";
import type { ThemeToken } from "../theme.js";
import { displayWidth, truncateToWidth } from "../text/display-width.js";
import { formatRelativeTime } from "../text/relative-time.js";
import { wrapText } from "../text/wrap.js";

export interface Segment {
  text: string;
  token?: ThemeToken;
}
export type Line = Segment[];

const wrapCache = new Map<string, string[]>();

/** Cuts a line of segments to `width` cells (a multi-line text node must never need
 * Ink's own truncation, which would treat the whole block as one line). */
export function fitLine(line: Line, width: number): Line {
  let used = 0;
  const out: Line = [];
  for (const segment of line) {
    const w = displayWidth(segment.text);
    if (used + w <= width) {
      out.push(segment);
      used += w;
      continue;
    }
    const room = width - used;
    if (room > 0) out.push({ ...segment, text: truncateToWidth(segment.text, room) });
    break;
  }
  return out;
}

/** The post's text wrapped to the card (width minus the two-column indent); cached. */
export function wrappedContent(post: Post, width: number): string[] {
  const key = `${post.id}\u0000${width}\u0000${post.content.length}`;
  let lines = wrapCache.get(key);
  if (!lines) {
    if (wrapCache.size > 50_000) wrapCache.clear();
    lines = wrapText(post.content, Math.max(1, width - 2));
    wrapCache.set(key, lines);
  }
  return lines;
}

/** Card height in lines: author line, content (possibly cut), separator. */
export function cardHeight(post: Post, width: number, maxHeight: number): number {
  return Math.min(wrappedContent(post, width).length + 2, Math.max(3, maxHeight));
}

export function cardLines(opts: {
  post: Post;
  username: string;
  selected: boolean;
  width: number;
  maxHeight: number;
  now: Date;
  /** Leave out the separator line (when it is drawn as a border instead). */
  withoutSeparator?: boolean;
}): Line[] {
  const { post, username, selected, width, maxHeight, now } = opts;
  const content = wrappedContent(post, width);
  const lines: Line[] = [
    [
      selected ? { text: "▸ ", token: "selected" } : { text: "  " },
      { text: `@${username}`, token: "username" },
      { text: ` · ${formatRelativeTime(post.created_at, now)}`, token: "dim" },
    ],
  ];
  const room = Math.max(1, Math.max(3, maxHeight) - 2);
  if (content.length <= room) {
    for (const text of content) lines.push([{ text: `  ${text}` }]);
  } else {
    const shown = Math.max(0, room - 1);
    for (const text of content.slice(0, shown)) lines.push([{ text: `  ${text}` }]);
    lines.push([{ text: `  … +${content.length - shown} lines`, token: "dim" }]);
  }
  if (!opts.withoutSeparator) lines.push([{ text: "─".repeat(Math.max(1, width)), token: "border" }]);
  return lines;
}
