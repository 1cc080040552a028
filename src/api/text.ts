// Text rules shared by the server and the client, so the client's live counter and the
// server's validation can never disagree about what a "character" is.

/** Number of Unicode code points — what PostgreSQL's char_length counts. */
export function countChars(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** CR and CRLF become LF. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** What the server stores for a post: newlines normalised, then trimmed as String#trim does. */
export function normalizePostContent(text: string): string {
  return normalizeNewlines(text).trim();
}

/** U+0000 and lone UTF-16 surrogates may never reach the database. */
export function isStorableString(text: string): boolean {
  return text.isWellFormed() && !text.includes("\u0000");
}

// C0 and C1 control characters (Unicode's Cc: U+0000–U+001F, U+007F–U+009F), with the
// exceptions a field allows taken out.
const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_TAB_LF = /[\p{Cc}--[\t\n]]/v;

export function hasControlChars(text: string): boolean {
  return CONTROL.test(text);
}

/** Control characters other than tab and newline (allowed in posts and bios). */
export function hasControlCharsExceptTabNewline(text: string): boolean {
  return CONTROL_EXCEPT_TAB_LF.test(text);
}

/**
 * The white space String#trim removes, as a list of code points: the database's CHECK
 * constraints are generated from it so they agree with the code exactly.
 */
export const TRIM_WHITESPACE: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
  0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
  0xfeff,
];

/**
 * Code points that show nothing: Unicode's Default_Ignorable_Code_Point (U+200B, U+2060, …),
 * as inclusive ranges. Written out, like TRIM_WHITESPACE, so that a database CHECK generated
 * from it agrees with this code whatever Unicode version the runtime knows.
 */
export const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0xad, 0xad], [0x34f, 0x34f], [0x61c, 0x61c], [0x115f, 0x1160], [0x17b4, 0x17b5], [0x180b, 0x180f],
  [0x200b, 0x200f], [0x202a, 0x202e], [0x2060, 0x206f], [0x3164, 0x3164], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
  [0xffa0, 0xffa0], [0xfff0, 0xfff8], [0x1bca0, 0x1bca3], [0x1d173, 0x1d17a], [0xe0000, 0xe0fff],
];

const cp = (n: number) => `\\u{${n.toString(16)}}`;
const VISIBLE = new RegExp(
  `[^${TRIM_WHITESPACE.map(cp).join("")}${INVISIBLE_RANGES.map(([from, to]) => `${cp(from)}-${cp(to)}`).join("")}]`, "u");

/** Holds at least one character that shows: not white space, not an invisible format character. */
export function hasVisibleChar(text: string): boolean {
  return VISIBLE.test(text);
}
