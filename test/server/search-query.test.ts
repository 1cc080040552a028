// The search query parser (api/search-query.ts): the contract's rules and this parser's
// documented choices (unbalanced quotes, tokens that split into several words).
import { describe, expect, it } from "vitest";
import { parseSearchQuery, searchWords, type SearchQuery } from "../../src/api/search-query.js";

const empty: SearchQuery = { words: [], phrases: [], excludes: [], from: [], notFrom: [], tags: [], excludeTags: [] };

function ok(q: string): SearchQuery {
  const result = parseSearchQuery(q);
  if (!result.ok) throw new Error(`${JSON.stringify(q)}: ${result.error.message}`);
  return result.query;
}

function error(q: string): string {
  const result = parseSearchQuery(q);
  if (result.ok) throw new Error(`${JSON.stringify(q)} parsed`);
  expect(result.error).toMatchObject({ code: "validation_error", field: "q" });
  return result.error.message;
}

describe("searchWords", () => {
  it("splits on Intl.Segmenter's word boundaries, folding case and compatibility forms", () => {
    expect(searchWords("Café, CAFÉ! ＡＢＣ")).toEqual(["café", "café", "abc"]);
    expect(searchWords("私は東京に住んでいます")).toContain("東京");
    expect(searchWords("rust-lang don't 😀 ___ …")).toEqual(["rust", "lang", "don't"]);
  });
});

describe("parseSearchQuery", () => {
  it("reads words, phrases, exclusions, from: and tags", () => {
    expect(ok('Rust "Quick Brown" -fox -"lazy dog" from:Alice #Tokio -#go -from:@bob')).toEqual({
      words: ["rust"], phrases: [["quick", "brown"]], excludes: [["fox"], ["lazy", "dog"]],
      from: ["alice"], notFrom: ["bob"], tags: ["tokio"], excludeTags: ["go"],
    });
  });

  it("makes a token that splits into several words a phrase, and a one-word phrase a word", () => {
    expect(ok("rust-lang 東京に住む")).toEqual({ ...empty, phrases: [["rust", "lang"], searchWords("東京に住む")] });
    expect(searchWords("東京に住む").length).toBeGreaterThan(1);
    expect(ok('"rust"')).toEqual({ ...empty, words: ["rust"] });
  });

  it("reads an unclosed quote as a phrase running to the end", () => {
    expect(ok('fox "quick brown')).toEqual({ ...empty, words: ["fox"], phrases: [["quick", "brown"]] });
    expect(ok('fox -"quick brown')).toEqual({ ...empty, words: ["fox"], excludes: [["quick", "brown"]] });
  });

  it("reads #, from: and - that introduce nothing valid as plain text", () => {
    expect(ok("#123 #")).toEqual({ ...empty, words: ["123"] });
    expect(ok("from:no-such-user!")).toEqual({ ...empty, phrases: [searchWords("from:no-such-user")] });
    expect(ok("fox - -")).toEqual({ ...empty, words: ["fox"] });
    expect(ok("#rust, #hindi_हिन्दी")).toEqual({ ...empty, tags: ["rust", "hindi_हिन्दी"] });
  });

  it("keeps a zero-width non-joiner inside its word, as the posts' words do", () => {
    expect(ok("می\u200Cخواهم")).toEqual({ ...empty, words: ["می\u200Cخواهم"] });
    expect(searchWords("من می\u200Cخواهم بروم")).toContain("می\u200Cخواهم");
  });

  it("keeps each term once", () => {
    expect(ok("Fox fox FOX #a #A from:x from:X")).toEqual({ ...empty, words: ["fox"], tags: ["a"], from: ["x"] });
  });

  it("refuses empty, too long, exclusions alone and nothing searchable with a 400 on q", () => {
    expect(error("")).toMatch(/enter/i);
    expect(error(" \t\n ")).toMatch(/enter/i);
    expect(error("a".repeat(201))).toMatch(/200/);
    expect(ok("😀".repeat(199) + "a")).toEqual({ ...empty, words: ["a"] });
    expect(error("😀".repeat(201))).toMatch(/200/);
    expect(error("-fox -#go -from:bob")).toMatch(/exclusions/);
    expect(error('!!! ??? "" 😀 -')).toMatch(/nothing/i);
  });
});
