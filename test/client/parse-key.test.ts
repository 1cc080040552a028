import { describe, expect, it } from "vitest";
import { commandFor, COMMANDS, hintsFor, keyMatches, parseKeySpec } from "../../src/client/keys/bindings.js";
import { cleanPaste, createKeyReader, parseKeys, splitText } from "../../src/client/keys/parse-key.js";

const one = (raw: string) => {
  const events = parseKeys(raw);
  expect(events).toHaveLength(1);
  return events[0]!;
};

describe("parseKeys", () => {
  it("names control keys", () => {
    expect(one("\r").name).toBe("enter");
    expect(one("\x13")).toMatchObject({ name: "s", ctrl: true });
    expect(one("\n")).toMatchObject({ name: "j", ctrl: true });
    expect(one("\x7f").name).toBe("backspace");
    expect(one("\x1b").name).toBe("escape");
    expect(one("\x1b[Z")).toMatchObject({ name: "tab", shift: true });
  });

  it("understands arrows, paging and F1 in their common encodings", () => {
    expect(one("\x1b[A").name).toBe("up");
    expect(one("\x1bOB").name).toBe("down");
    expect(one("\x1b[5~").name).toBe("pageup");
    expect(one("\x1b[6~").name).toBe("pagedown");
    expect(one("\x1bOP").name).toBe("f1");
    expect(one("\x1b[11~").name).toBe("f1");
    expect(one("\x1b[1~").name).toBe("home");
    expect(one("\x1b[4~").name).toBe("end");
  });

  it("recognises Ctrl+Enter from the kitty protocol and xterm modifyOtherKeys", () => {
    expect(one("\x1b[13;5u")).toMatchObject({ name: "enter", ctrl: true });
    expect(one("\x1b[27;5;13~")).toMatchObject({ name: "enter", ctrl: true });
    expect(one("\x1b[99;5u")).toMatchObject({ name: "c", ctrl: true });
  });

  it("keeps a run of typed text together and splits it on demand", () => {
    const [text] = parseKeys("héllo 🎉");
    expect(text).toMatchObject({ name: "text", text: "héllo 🎉" });
    expect(splitText(text!).map((e) => e.name)).toEqual(["h", "é", "l", "l", "o", "space", "🎉"]);
    expect(parseKeys("ab\rc").map((e) => e.name)).toEqual(["text", "enter", "c"]);
  });

  it("holds a bracketed paste together as text, across chunks, keys around it untouched", () => {
    const { read } = createKeyReader();
    expect(read("j").map((e) => e.name)).toEqual(["j"]);
    expect(read("\x1b[200~")).toEqual([]);
    expect(read("one\r\ntwo\tq")).toEqual([]);
    expect(read("\x1b[A")).toEqual([]); // an escape sequence inside a paste is pasted, not pressed
    expect(read("\rthree\n")).toEqual([]);
    const [paste, ...rest] = read("\x1b[201~");
    expect(rest).toEqual([]);
    expect(paste).toMatchObject({ name: "paste", text: "one\ntwo\tq\nthree", ctrl: false, meta: false });
    expect(read("\r").map((e) => e.name)).toEqual(["enter"]);
    expect(read("\x1b[200~")).toEqual([]);
    expect(read("\x1b[201~")).toEqual([]); // an empty paste is nothing
  });

  it("finds the paste markers however the reads cut them", () => {
    const reader = createKeyReader();
    // The end marker split by a read: Ink emits its pieces apart.
    reader.read("\x1b[200~");
    expect(reader.read("pasted\x1b[20")).toEqual([]);
    expect(reader.read("1~")).toMatchObject([{ name: "paste", text: "pasted" }]);
    expect(reader.inPaste()).toBe(false);
    // Pasted text ending in ESC: Ink emits ESC and the end marker as one.
    reader.read("\x1b[200~");
    reader.read("x");
    expect(reader.read("\x1b\x1b[201~")).toMatchObject([{ name: "paste", text: "x" }]);
    // Escape pressed just before a paste, in the same read.
    expect(reader.read("\x1b\x1b[200~").map((e) => e.name)).toEqual(["escape"]);
    expect(reader.read("y\x1b[201~")).toMatchObject([{ name: "paste", text: "y" }]);
  });

  it("never lets an unfinished paste hold the keyboard: Ctrl+C ends it, and so does the caller's timer", () => {
    const reader = createKeyReader();
    reader.read("\x1b[200~");
    reader.read("half a paste");
    expect(reader.read("\x03")).toMatchObject([{ name: "paste", text: "half a paste" }, { name: "c", ctrl: true }]);
    reader.read("\x1b[200~");
    reader.read("no end");
    expect(reader.inPaste()).toBe(true);
    expect(reader.endPaste()).toMatchObject([{ name: "paste", text: "no end" }]);
    expect(reader.read("j").map((e) => e.name)).toEqual(["j"]);
  });

  it("cleans a paste: line breaks as LF, no control characters, no trailing line break", () => {
    expect(cleanPaste("a\r\nb\rc\nd\x07\x1b[1;31m\x9b\te\r\n\n")).toBe("a\nb\nc\nd\te");
    expect(cleanPaste("see \x1b]8;;https://x.example\x07here\x1b]8;;\x1b\\ now\x1bc")).toBe("see here now");
  });
});

describe("bindings", () => {
  it("every command has keys, a label and a description", () => {
    for (const command of COMMANDS) {
      expect(command.keys.length).toBeGreaterThan(0);
      expect(command.description).not.toBe("");
    }
  });

  it("maps keys to commands by scope", () => {
    expect(commandFor(one("j"), ["timeline"])).toBe("list-down");
    expect(commandFor(one("\x1b[B"), ["timeline"])).toBe("list-down");
    expect(commandFor(one("G"), ["timeline"])).toBe("list-last");
    expect(commandFor(one("g"), ["timeline"])).toBe("list-first");
    expect(commandFor(one("\x13"), ["compose"])).toBe("publish");
    expect(commandFor(one("\n"), ["compose"])).toBe("publish");
    expect(commandFor(one("\x1b[13;5u"), ["compose"])).toBe("publish");
    expect(commandFor(one("\r"), ["compose"])).toBe("compose-newline");
    expect(commandFor(one("e"), ["profile"])).toBeNull();
    expect(commandFor(one("e"), ["own-profile"])).toBe("edit-profile");
  });

  it("does not confuse shift+tab with tab", () => {
    expect(keyMatches(parseKeySpec("tab"), one("\x1b[Z"))).toBe(false);
    expect(keyMatches(parseKeySpec("shift+tab"), one("\x1b[Z"))).toBe(true);
  });

  it("gives every command its own id, and refuses a spec it cannot read", () => {
    const ids = COMMANDS.map((command) => command.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(commandFor(one("j"), ["users"])).toBe("users-down");
    expect(commandFor(one("l"), ["thread"])).toBe("like");
    expect(parseKeySpec("ctrl+shift+tab")).toEqual({ name: "tab", ctrl: true, shift: true, meta: false });
    expect(() => parseKeySpec("ctl+s")).toThrow(/unknown modifier ctl/);
  });

  it("generates status hints from the table", () => {
    const hints = hintsFor(["timeline", "global"]);
    expect(hints).toContain("j/k move");
    expect(hints).toContain("n new post");
    expect(hints).toContain("? help");
  });

  it("drops hints to fit the width but keeps help", () => {
    const narrow = hintsFor(["timeline", "global"], 30);
    expect(narrow.length).toBeLessThanOrEqual(30);
    expect(narrow).toContain("? help");
    expect(narrow).toContain("j/k move");
  });
});
