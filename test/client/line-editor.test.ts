import { describe, expect, it } from "vitest";
import {
  deleteBackward, deleteWordBackward, emptyEditor, insertText, killToLineEnd, killToLineStart, lineEnd,
  lineStart, moveLeft, moveVertical, type EditorState,
} from "../../src/client/text/line-editor.js";

const at = (text: string, cursor: number): EditorState => ({ text, cursor });

describe("line editor", () => {
  it("inserts at the cursor and normalises CRLF", () => {
    expect(insertText(at("ac", 1), "b")).toEqual(at("abc", 2));
    expect(insertText(emptyEditor(), "a\r\nb")).toEqual(at("a\nb", 3));
    expect(insertText(emptyEditor(), "a\nb", false).text).toBe("a b");
    expect(insertText(emptyEditor(), "a\tb\t\tc", false).text).toBe("a b c"); // a pasted tab, in one line
    expect(insertText(emptyEditor(), "a\tb").text).toBe("a\tb"); // kept in a post
  });

  it("deletes whole graphemes (emoji) backwards", () => {
    const s = emptyEditor("hi 👨‍👩‍👧");
    expect(deleteBackward(s)).toEqual(at("hi ", 3));
    expect(moveLeft(s).cursor).toBe(3);
  });

  it("Ctrl+A / Ctrl+E go to the start and end of the current line", () => {
    const s = at("one\ntwo three\nfour", 8);
    expect(lineStart(s).cursor).toBe(4);
    expect(lineEnd(s).cursor).toBe(13);
  });

  it("Ctrl+U / Ctrl+K delete to start / end of line", () => {
    expect(killToLineStart(at("one\ntwo three", 8))).toEqual(at("one\nthree", 4));
    expect(killToLineEnd(at("one\ntwo three", 8))).toEqual(at("one\ntwo ", 8));
    expect(killToLineEnd(at("one\ntwo", 3))).toEqual(at("onetwo", 3));
  });

  it("Ctrl+W deletes the previous word", () => {
    expect(deleteWordBackward(at("hello big world", 15))).toEqual(at("hello big ", 10));
    expect(deleteWordBackward(at("hello big   ", 12))).toEqual(at("hello ", 6));
    // A line break is a boundary: at a line's start only it goes, and blanks never reach past it.
    expect(deleteWordBackward(at("world\n\n\nline", 8))).toEqual(at("world\n\nline", 7));
    expect(deleteWordBackward(at("world\n  ", 8))).toEqual(at("world\n", 6));
  });

  it("up and down keep the column", () => {
    const s = at("abcdef\nxy\n123456", 4);
    expect(moveVertical(s, 1).cursor).toBe(9); // end of "xy"
    expect(moveVertical(at("abcdef\nxy\n123456", 14), -1).cursor).toBe(9);
    expect(moveVertical(at("abc\ndef", 1), -1).cursor).toBe(0);
  });
});
