// How a post card is laid out, as plain data (lines of styled segments), so the virtual
// list can measure cards without rendering them.
import { parseEntities } from "../../api/entities.js";
import type { Post } from "../../api/index.js";
import type { SocialPost } from "../social.js";
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

/** Lines a card has beside its content: the author line, a reply or repost line, the counts. */
function extraLines(post: SocialPost): { before: number; counts: boolean } {
  const counts = post.like_count !== undefined || post.repost_count !== undefined || post.reply_count !== undefined;
  return { before: 1 + (post.repost ? 1 : 0) + (post.reply_to_user ? 1 : 0), counts };
}

/** Card height in lines: the lines above the content, content (possibly cut), counts, separator. */
export function cardHeight(post: SocialPost, width: number, maxHeight: number): number {
  const { before, counts } = extraLines(post);
  const fixed = before + (counts ? 1 : 0) + 1;
  return Math.min(wrappedContent(post, width).length + fixed, Math.max(fixed + 1, maxHeight));
}

/** A content line with its @mentions and #tags picked out (only mentions the server resolved,
 * when it says which). Parsed per wrapped line: lines break at white space, which ends both. */
export function highlightEntities(text: string, post: SocialPost): Line {
  const spans = parseEntities(text).spans;
  const known = post.mentions ? new Set(post.mentions.map((m) => m.username.toLowerCase())) : null;
  const out: Line = [];
  let at = 0;
  for (const span of spans) {
    if (span.kind === "mention" && known && !known.has(span.value)) continue;
    if (span.start > at) out.push({ text: text.slice(at, span.start) });
    out.push({ text: text.slice(span.start, span.end), token: "entity" });
    at = span.end;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at) });
  return out;
}

/** The dim counts line; the caller's own like and repost in the accent colour. ASCII labels
 * where the terminal cannot draw the symbols (or without colours, where the accent is lost). */
export function countsLine(post: SocialPost, ascii: boolean): Line {
  const [re, rp, lk] = ascii ? ["re", "rp", "lk"] : ["↩", "♻", "♥"];
  return [
    { text: `  ${re} ${post.reply_count ?? 0}  `, token: "dim" },
    { text: `${rp} ${post.repost_count ?? 0}`, token: post.reposted ? "accent" : "dim" },
    { text: "  ", token: "dim" },
    { text: `${lk} ${post.like_count ?? 0}`, token: post.liked ? "accent" : "dim" },
  ];
}

export function cardLines(opts: {
  post: SocialPost;
  username: string;
  /** The author's display name, bold before the username (none: the username alone). */
  displayName?: string | undefined;
  selected: boolean;
  width: number;
  maxHeight: number;
  now: Date;
  /** Plain ASCII instead of ↳ ♻ ↩ ♥. */
  ascii?: boolean;
  /** Leave out the separator line (when it is drawn as a border instead). */
  withoutSeparator?: boolean;
}): Line[] {
  const { post, username, selected, width, maxHeight, now } = opts;
  const ascii = opts.ascii ?? false;
  const content = wrappedContent(post, width);
  const marker: Segment = selected ? { text: "▸ ", token: "selected" } : { text: "  " };
  const lines: Line[] = [];
  if (post.repost) lines.push([marker, { text: `${ascii ? "rp" : "♻"} @${post.repost.by.username} reposted`, token: "dim" }]);
  const tail = ` · ${formatRelativeTime(post.created_at, now)}`;
  const head: Line = [post.repost ? { text: "  " } : marker];
  if (opts.displayName && opts.displayName !== username) {
    // The name gives way first: the username and time always show.
    const room = width - 2 - displayWidth(`@${username}${tail}`) - 1;
    if (room >= 2) head.push({ text: truncateToWidth(opts.displayName, room), token: "title" }, { text: " " });
  }
  head.push({ text: `@${username}`, token: "username" }, { text: tail, token: "dim" });
  lines.push(head);
  if (post.reply_to_user) lines.push([{ text: `  ${ascii ? "re" : "↳"} @${post.reply_to_user.username}`, token: "dim" }]);
  const { before, counts } = extraLines(post);
  const room = Math.max(1, Math.max(before + (counts ? 1 : 0) + 2, maxHeight) - before - (counts ? 1 : 0) - 1);
  if (content.length <= room) {
    for (const text of content) lines.push([{ text: "  " }, ...highlightEntities(text, post)]);
  } else {
    const shown = Math.max(0, room - 1);
    for (const text of content.slice(0, shown)) lines.push([{ text: "  " }, ...highlightEntities(text, post)]);
    lines.push([{ text: `  … +${content.length - shown} lines`, token: "dim" }]);
  }
  if (counts) lines.push(countsLine(post, ascii));
  if (!opts.withoutSeparator) lines.push([{ text: "─".repeat(Math.max(1, width)), token: "border" }]);
  return lines;
}
