// Mentions and tags in post content (social.md, "Objects — what is added"). One parser for
// both sides: the server stores what it finds, the client highlights the same spans, so the
// two can never disagree about what is a mention or a tag.
import { checkUsername } from "./rules.js";

export interface EntitySpan {
  kind: "mention" | "tag";
  /** The username (lower case) or the tag (NFC, lower case), without `@` / `#`. */
  value: string;
  /** UTF-16 offsets into the text given (String#slice), `@`/`#` included. */
  start: number;
  end: number;
}

export interface Entities {
  /** Usernames, lower case, each once, in order of first appearance. */
  mentions: string[];
  /** Tags, NFC and lower case, each once, in order of first appearance. */
  tags: string[];
  /** Every occurrence (repeats included), in text order, for highlighting. */
  spans: EntitySpan[];
}

export const TAG_MAX = 50;

// A mention may not follow these (so `mail@example.com` mentions nobody). Combining marks
// count as part of the letter they attach to: `e\u0301@bob` reads as `é@bob`.
const MENTION_BLOCKED_BEFORE = /[\p{L}\p{M}\p{Nd}_@]/u;
// The name is the whole run of username characters; a run that goes on with a non-ASCII
// letter, a mark or `@` (`@bob@host`, `@bobé`) is some other word, not this user.
const USERNAME_RUN = /[A-Za-z0-9_]+/y;
const MENTION_BLOCKED_AFTER = /[\p{L}\p{M}\p{Nd}_@]/u;
const TAG_RUN = /[\p{L}\p{M}\p{Nd}_]+/uy;
const LETTER = /\p{L}/u;
const TAG_ALLOWED_BEFORE = /[\p{White_Space}\p{P}]/u;

/** The code point ending just before UTF-16 offset i ("" at the start). */
function charBefore(text: string, i: number): string {
  if (i === 0) return "";
  const low = text.charCodeAt(i - 1);
  if (i >= 2 && low >= 0xdc00 && low <= 0xdfff) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(i - 2, i);
  }
  return text.slice(i - 1, i);
}

function charAt(text: string, i: number): string {
  const cp = text.codePointAt(i);
  return cp === undefined ? "" : String.fromCodePoint(cp);
}

function mentionAt(text: string, at: number): EntitySpan | null {
  const before = charBefore(text, at);
  if (before && MENTION_BLOCKED_BEFORE.test(before)) return null;
  USERNAME_RUN.lastIndex = at + 1;
  const run = USERNAME_RUN.exec(text);
  if (!run) return null;
  const end = at + 1 + run[0].length;
  const after = charAt(text, end);
  if (after && MENTION_BLOCKED_AFTER.test(after)) return null;
  if (checkUsername(run[0]) !== null) return null;
  return { kind: "mention", value: run[0].toLowerCase(), start: at, end };
}

function tagAt(text: string, at: number): EntitySpan | null {
  const before = charBefore(text, at);
  if (before && (before === "#" || before === "&" || !TAG_ALLOWED_BEFORE.test(before))) return null;
  TAG_RUN.lastIndex = at + 1;
  const run = TAG_RUN.exec(text);
  if (!run) return null;
  // NFC only composes, and what it composes from tag characters is a tag character, so the
  // run in the text as given is the run in its NFC form; the length counts after NFC.
  const nfc = run[0].normalize("NFC");
  let n = 0;
  for (const _ of nfc) n++;
  if (n > TAG_MAX || !LETTER.test(nfc)) return null;
  return { kind: "tag", value: nfc.toLowerCase().normalize("NFC"), start: at, end: at + 1 + run[0].length };
}

/** Finds the mentions and tags in `text`; never throws (lone surrogates are just not matched). */
export function parseEntities(text: string): Entities {
  const spans: EntitySpan[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x40 /* @ */ && c !== 0x23 /* # */) continue;
    const span = c === 0x40 ? mentionAt(text, i) : tagAt(text, i);
    if (span) {
      spans.push(span);
      i = span.end - 1;
    }
  }
  const mentions: string[] = [];
  const tags: string[] = [];
  for (const span of spans) {
    const list = span.kind === "mention" ? mentions : tags;
    if (!list.includes(span.value)) list.push(span.value);
  }
  return { mentions, tags, spans };
}

/** A tag as typed in a path or query (`#Rust`, `rust`): the stored form, or null if it is none. */
export function normalizeTag(raw: string): string | null {
  const bare = raw.startsWith("#") ? raw.slice(1) : raw;
  const found = parseEntities(`#${bare}`).spans;
  return found.length === 1 && found[0]!.start === 0 && found[0]!.end === bare.length + 1 ? found[0]!.value : null;
}
