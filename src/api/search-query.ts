// The search query language of GET /search/posts (social.md, "Search"), shared by the server,
// which runs it, and the client, which can show the same 400 before sending. Also the one
// word splitter: posts are indexed with searchWords() and queries are split with it too, so
// a word is found exactly when the index holds it (text without spaces, such as Chinese or
// Japanese, is split the way Intl.Segmenter splits it, in the posts and in q alike).
import type { FieldError } from "./rules.js";
import { countChars } from "./text.js";

export const SEARCH_QUERY_MAX = 200;
/** Tags: the contract's 1–50 characters, letters, marks, decimal digits or `_`, a letter among them. */
const TAG_RUN = /^#([\p{L}\p{M}\p{Nd}_]+)(.*)$/su;
const TAG_MAX = 50;
const HAS_LETTER = /\p{L}/u;
/** A username as the v1 rules allow (checked loosely: a wrong one simply matches nobody). */
const USERNAME = /^[A-Za-z0-9_]{1,15}$/;
/** A word the index can hold: a letter or a digit in it (`___` and `.` are not words). */
const SEARCHABLE = /[\p{L}\p{N}]/u;
// Opening and closing quotes alike toggle a phrase (typographic quotes too).
const QUOTES = new Set(['"', "\u201C", "\u201D", "\u201E"]);
// White space, and every control character: treated as a gap, so none reaches the database.
// Not format characters (\p{Cf}): a zero-width non-joiner is part of a Persian or Hindi word.
const GAP = /[\s\p{Cc}\p{Z}]/u;

export interface SearchQuery {
  /** Words that must all appear, as the index holds them (see searchWords). */
  words: string[];
  /** Word sequences that must appear in this order, one after the other. */
  phrases: string[][];
  /** Words or word sequences that must not appear (`-word`, `-"a phrase"`). */
  excludes: string[][];
  /** Lower-case usernames: the author must be one of them (`from:a from:b` is either). */
  from: string[];
  /** `-from:name`: authors left out. */
  notFrom: string[];
  /** Lower-case tags without `#` that the post must carry. */
  tags: string[];
  /** `-#tag`: tags the post must not carry. */
  excludeTags: string[];
}

export type SearchQueryParse = { ok: true; query: SearchQuery } | { ok: false; error: FieldError };

const invalid = (message: string): SearchQueryParse => ({ ok: false, error: { code: "validation_error", field: "q", message } });

// A fixed locale: word boundaries must not depend on the machine's LANG (they are stored).
const segmenter = new Intl.Segmenter("en", { granularity: "word" });

/** Case and compatibility forms folded (full-width `ＡＢＣ` is `abc`); accents are folded by the database (unaccent). */
export function foldSearchText(text: string): string {
  return text.normalize("NFKC").toLowerCase().normalize("NFKC");
}

/**
 * The words of a text as the search index holds them: folded (foldSearchText), split by
 * Intl.Segmenter at word granularity, keeping the pieces that hold a letter or digit. Punctuation,
 * emoji and white space fall between words. An index built with another ICU version may split
 * some Chinese/Japanese/Thai text differently: re-index (indexMissingPosts) after an upgrade.
 */
export function searchWords(text: string): string[] {
  const words: string[] = [];
  for (const piece of segmenter.segment(foldSearchText(text.toWellFormed()))) {
    if (piece.isWordLike && SEARCHABLE.test(piece.segment)) words.push(piece.segment);
  }
  return words;
}

interface Token {
  text: string;
  quoted: boolean;
  negated: boolean;
}

/**
 * Splits q into tokens: runs between gaps, or quoted runs. A quote opens a phrase wherever it
 * appears and the next quote closes it; an unclosed quote makes the rest of q the phrase
 * (the user is still typing it). `-` at the start of a token or before a quote negates it.
 */
function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  const chars = [...q];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (GAP.test(c)) { i++; continue; }
    let negated = false;
    while (i < chars.length && chars[i] === "-") { negated = true; i++; }
    if (i >= chars.length) break;
    if (QUOTES.has(chars[i]!)) {
      let j = i + 1;
      while (j < chars.length && !QUOTES.has(chars[j]!)) j++;
      tokens.push({ text: chars.slice(i + 1, j).join(""), quoted: true, negated });
      i = j + 1;
      continue;
    }
    if (GAP.test(chars[i]!)) continue; // a lone "-": nothing to negate
    let j = i;
    while (j < chars.length && !GAP.test(chars[j]!) && !QUOTES.has(chars[j]!)) j++;
    tokens.push({ text: chars.slice(i, j).join(""), quoted: false, negated });
    i = j;
  }
  return tokens;
}

/**
 * `#tag` as the posts store it (NFC, lower case; entities.ts's rule), allowing punctuation
 * after it (`#rust,`); null when the token is not a tag, and is then read as words.
 */
function tagOf(token: string): string | null {
  const m = TAG_RUN.exec(token);
  if (!m || searchWords(m[2]!).length > 0) return null;
  const nfc = m[1]!.normalize("NFC");
  if (countChars(nfc) > TAG_MAX || !HAS_LETTER.test(nfc)) return null;
  return nfc.toLowerCase().normalize("NFC");
}

function addUnique<T>(list: T[], value: T, key: (v: T) => string = String): void {
  if (!list.some((v) => key(v) === key(value))) list.push(value);
}

/**
 * Parses a search query (social.md, "Search"): whole words (all must appear), `"a phrase"`,
 * `-word` / `-"a phrase"` to exclude, `from:username`, `#tag` (only posts carrying the tag;
 * a bare word also finds its tag, because a tag is a word of the post). A token that splits
 * into several words (`rust-lang`, `東京タワー`) must appear as those words in a row.
 * `#` not followed by a valid tag and `from:` not followed by a username are plain text.
 * Errors, all 400 validation_error on `q`: empty, over 200 characters, nothing but
 * exclusions, or nothing searchable at all (only punctuation or emoji, say).
 */
export function parseSearchQuery(q: string): SearchQueryParse {
  const n = countChars(q);
  if (n > SEARCH_QUERY_MAX) return invalid(`Search must be at most ${SEARCH_QUERY_MAX} characters`);
  const text = q.toWellFormed();
  if ([...text].every((c) => GAP.test(c))) return invalid("Enter something to search for");
  const query: SearchQuery = { words: [], phrases: [], excludes: [], from: [], notFrom: [], tags: [], excludeTags: [] };
  const sequence = (v: string[]) => v.join(" ");
  for (const token of tokenize(text)) {
    if (!token.quoted) {
      const from = /^from:@?(.*)$/isu.exec(token.text);
      if (from && USERNAME.test(from[1]!)) {
        addUnique(token.negated ? query.notFrom : query.from, from[1]!.toLowerCase());
        continue;
      }
      const tag = tagOf(token.text);
      if (tag !== null) {
        addUnique(token.negated ? query.excludeTags : query.tags, tag);
        continue;
      }
    }
    const words = searchWords(token.text);
    if (words.length === 0) continue;
    if (token.negated) addUnique(query.excludes, words, sequence);
    else if (words.length === 1) addUnique(query.words, words[0]!);
    else addUnique(query.phrases, words, sequence);
  }
  const positive = query.words.length + query.phrases.length + query.from.length + query.tags.length;
  if (positive === 0) {
    const negative = query.excludes.length + query.notFrom.length + query.excludeTags.length;
    return negative > 0
      ? invalid("Search for at least one word, phrase, tag or from:username; exclusions alone match everything")
      : invalid("Nothing to search for: enter a word, a phrase, a #tag or from:username");
  }
  return { ok: true, query };
}
