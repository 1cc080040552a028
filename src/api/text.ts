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
