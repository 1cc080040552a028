import { describe, expect, it, onTestFinished } from "vitest";
import fc from "fast-check";
import stringWidth from "string-width";
import { displayWidth, forTerminal, graphemes, insideMultiplexer, measureSequencesByParts } from "../../src/client/text/display-width.js";
import { normalizeForDisplay, wrapText } from "../../src/client/text/wrap.js";

describe("wrapText", () => {
  it("wraps at word boundaries", () => {
    expect(wrapText("the quick brown fox jumps", 10)).toEqual(["the quick", "brown fox", "jumps"]);
  });

  it("keeps newlines and collapses runs of blank lines into one", () => {
    expect(wrapText("one\ntwo\n\n\n\nthree\r\n\r\nfour", 20)).toEqual(["one", "two", "", "three", "", "four"]);
  });

  it("breaks a word longer than the line", () => {
    expect(wrapText("abcdefghijkl xy", 5)).toEqual(["abcde", "fghij", "kl xy"]);
  });

  it("inside tmux or screen counts an emoji and its skin tone apart, as tmux 3.3 draws them, and hands the terminal text that says so", () => {
    expect([insideMultiplexer({ TMUX: "/tmp/tmux-0/default,1,0" }), insideMultiplexer({ STY: "1.pts" }), insideMultiplexer({ TERM: "tmux-256color" }),
      insideMultiplexer({ TERM: "screen" }), insideMultiplexer({ TERM: "xterm-256color" })]).toEqual([true, true, true, true, false]);
    measureSequencesByParts(false);
    expect(displayWidth("👍🏽👨‍👩‍👧")).toBe(4); // elsewhere each sequence is one 2-cell character
    expect(forTerminal("👍🏽")).toBe("👍🏽");
    measureSequencesByParts(true);
    onTestFinished(() => measureSequencesByParts(insideMultiplexer(process.env)));
    // Widths tmux 3.3a gives (read back from its cursor position): 👍🏽 4, 👨‍👩‍👧 2, 🇯🇵 2.
    expect(displayWidth("👍🏽")).toBe(4);
    expect(displayWidth("👨‍👩‍👧")).toBe(2);
    expect(displayWidth("🇯🇵")).toBe(2);
    expect(displayWidth("❤️")).toBe(2); // a variation selector only widens
    expect(displayWidth("🎉漢e\u0301a")).toBe(6);
    expect(displayWidth("\u001b[31m👍🏽\u001b[39m")).toBe(4); // colour codes take no cells
    // What the terminal (and Ink, which lays boxes out with string-width) gets: a zero-width
    // space between emoji and tone, which tmux draws the same; so Ink's measure is ours.
    expect(forTerminal("a👍🏽b👋🏿")).toBe("a👍\u200B🏽b👋\u200B🏿");
    for (const text of ["👍🏽 ok", "全角👍🏽👨‍👩‍👧🇯🇵", "👩🏽‍💻"]) expect(stringWidth(forTerminal(text))).toBe(displayWidth(text));
    const lines = wrapText("👍🏽".repeat(30), 98);
    expect(lines.map((l) => graphemes(l).length)).toEqual([24, 6]);
  });

  it("measures CJK and emoji by display width", () => {
    const lines = wrapText("日本語のテキストです 🎉🎉🎉", 6);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(6);
    expect(lines.join("")).toBe("日本語のテキストです🎉🎉🎉");
    expect(lines[0]).toBe("日本語");
  });

  it("never splits an emoji ZWJ sequence", () => {
    const family = "👨‍👩‍👧";
    const lines = wrapText(family.repeat(4), 4);
    expect(lines.every((l) => [...new Intl.Segmenter().segment(l)].every((s) => s.segment === family))).toBe(true);
  });

  it("drops leading and trailing blank lines", () => {
    expect(normalizeForDisplay("\n\nhello\n\n")).toEqual(["hello"]);
  });

  it("property: no line is wider than the width and no word character is lost", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.integer({ min: 2, max: 60 }), (text, width) => {
        const lines = wrapText(text, width);
        // A line is never wider than the width, unless it is one grapheme that alone is wider.
        for (const line of lines) {
          if (graphemes(line).length > 1) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        }
        const squash = (s: string): string => s.replace(/[\s\p{Cc}]/gu, "");
        expect(squash(lines.join(""))).toBe(squash(text.replace(/\t/g, "  ")));
      }),
      { numRuns: 300 },
    );
  });
});
