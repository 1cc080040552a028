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
    const text = "Just shipped v0.3.0 of my CLI tool. Feels good, and the tests are green again.";
    expect(rowsOf(text, 21).map((r) => r.trimEnd())).toEqual(wrapText(text, 20));
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
    expect(plain.join("")).toBe(text.replace(/\t/g, "  ").replace(/\n/g, ""));
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
