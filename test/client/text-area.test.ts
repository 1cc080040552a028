import { describe, expect, it } from "vitest";
import { layoutTextArea } from "../../src/client/components/text-area-lines.js";
import { displayWidth } from "../../src/client/text/display-width.js";
import { wrapText } from "../../src/client/text/wrap.js";

const at = (text: string, cursor = text.length) => ({ text, cursor });
const rowsOf = (text: string, width: number, cursor?: number) =>
  layoutTextArea(at(text, cursor), width, { focused: cursor !== undefined }).lines.map((line) => line.map((s) => s.text).join(""));

describe("the compose box's layout", () => {
  it("wraps at word boundaries, as a card will, and breaks only a word longer than the line", () => {
    // width 10: nine cells of text and one for the cursor
    expect(rowsOf("hello world foo", 10)).toEqual(["hello ", "world foo"]);
    expect(rowsOf("abcdefghijklmnop", 6)).toEqual(["abcde", "fghij", "klmno", "p"]);
    expect(rowsOf("a abcdefghijklm", 6)).toEqual(["a ", "abcde", "fghij", "klm"]);
    expect(rowsOf("日本語の文章です", 7)).toEqual(["日本語", "の文章", "です"]);
    // A word that fills a row exactly: the space after it hangs, the next row starts with a word.
    expect(rowsOf("aaaa bbbb", 5)).toEqual(["aaaa", "bbbb"]);
    expect(rowsOf("abcd  ", 5, 6)).toEqual(["abcd "]); // the cursor sits in the spare cell
  });

  it("breaks every line where the card does (the same rows, trailing blanks aside)", () => {
    let seed = 42;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const words = ["a", "ab", "word", "terminal", "supercalifragilistic", "日本語", "🎉", "x🎉y", "über", "v0.3.0"];
    for (let round = 0; round < 2000; round++) {
      const parts: string[] = [];
      for (let n = 1 + random(12); n > 0; n--) parts.push(words[random(words.length)]!, " ".repeat(1 + random(3)));
      const text = parts.join("").trimEnd();
      const width = 4 + random(20);
      expect(rowsOf(text, width + 1).map((r) => r.trimEnd()), `${JSON.stringify(text)} at ${width}`).toEqual(wrapText(text, width));
    }
  });

  it("loses nothing, keeps every row inside the box, and shows the cursor once wherever it is", () => {
    const text = "one two  three\tfour 🎉🎉 fünf sechs-sieben-acht\n\nneun";
    for (let cursor = 0; cursor <= text.length; cursor++) {
      if (/[\uDC00-\uDFFF]/.test(text[cursor] ?? "")) continue; // inside a surrogate pair
      const { lines } = layoutTextArea(at(text, cursor), 12, { focused: true });
      const cursors = lines.flat().filter((s) => s.token === "cursor");
      expect(cursors, `cursor ${cursor}`).toHaveLength(1);
      for (const line of lines) expect(displayWidth(line.map((s) => s.text).join(""))).toBeLessThanOrEqual(12);
    }
    const plain = layoutTextArea(at(text), 12).lines.map((line) => line.map((s) => s.text).join(""));
    expect(plain.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, "")); // only blanks at breaks go undrawn
  });

  it("keeps the cursor on the row it is in: after the last character, and at the start of a wrapped word", () => {
    const end = layoutTextArea(at("hello world"), 10, { focused: true });
    expect(end.cursorRow).toBe(1);
    expect(end.lines[1]).toEqual([{ text: "world" }, { text: " ", token: "cursor" }, { text: "" }]);
    const start = layoutTextArea(at("hello world", 6), 10, { focused: true });
    expect(start.cursorRow).toBe(1);
    expect(start.lines[1]![1]).toEqual({ text: "w", token: "cursor" });
  });
});
