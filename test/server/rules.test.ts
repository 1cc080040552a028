// The contract's input rules as pure functions: examples at every boundary, and properties
// over awkward Unicode. (rules.property.test.ts proves the database agrees with them.)
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkBio, checkDisplayName, checkEmail, checkPassword, checkPostContent, checkUsername, countChars,
  firstError, hasControlChars, hasVisibleChar, isStorableString, normalizeBio, normalizeDisplayName, normalizePostContent,
  nothingVisible,
} from "../../src/api/index.js";
import { trickyString } from "../support/tricky-strings.js";

const field = (e: ReturnType<typeof checkUsername>) => e && `${e.code}:${e.field}`;

describe("input rules (examples)", () => {
  it("username", () => {
    for (const ok of ["abc", "a_b", "A1_b2_C3", "x".repeat(15), "123"]) expect(checkUsername(ok), ok).toBeNull();
    for (const bad of ["ab", "x".repeat(16), "_ab", "ab_", "a__b", "a-b", "a b", "é12", "Admin", "EXPLORE", "me1".slice(0, 2), "a\u0000b", "ab\ud800"]) {
      expect(field(checkUsername(bad)), bad).toBe("validation_error:username");
    }
    expect(checkUsername("ab")!.message).toMatch(/3–15/);
    expect(checkUsername("a-b")!.message).toMatch(/letters, digits and underscores/);
    expect(checkUsername("_ab")!.message).toMatch(/start and end/);
    expect(checkUsername("a__b")!.message).toMatch(/two underscores/);
    expect(checkUsername("support")!.message).toMatch(/reserved/);
  });

  it("email", () => {
    for (const ok of ["a@b.io", "first.last+tag@sub.example.com", `${"a".repeat(248)}@b.io`]) expect(checkEmail(ok), ok).toBeNull();
    for (const bad of ["", "a", "a@b", "@b.io", "a@.io", "a@b.", "a@@b.io", "a b@c.io", "a@b .io", "a@b.io\n", `${"a".repeat(250)}@b.io`, "a\u0007@b.io"]) {
      expect(field(checkEmail(bad)), bad).toBe("validation_error:email");
    }
    expect(checkEmail(`${"a".repeat(250)}@b.io`)!.message).toMatch(/254/);
    // Stored lower-cased: "İ" lower-cases to two code points, so 131 characters become 255.
    expect(field(checkEmail(`${"İ".repeat(124)}@ex.com`))).toBe("validation_error:email");
  });

  it("password counts characters, 8 to 128", () => {
    expect(checkPassword("x".repeat(8))).toBeNull();
    expect(checkPassword("🎉".repeat(128))).toBeNull();
    expect(field(checkPassword("x".repeat(7)))).toBe("validation_error:password");
    expect(field(checkPassword("🎉".repeat(129)))).toBe("validation_error:password");
    expect(checkPassword("x".repeat(7))!.message).toMatch(/at least 8/);
    expect(checkPassword("x".repeat(129))!.message).toMatch(/at most 128/);
  });

  it("display name: 1 to 50, no control characters (tab included)", () => {
    expect(checkDisplayName("x")).toBeNull();
    expect(checkDisplayName("😀".repeat(50))).toBeNull();
    for (const bad of ["", "x".repeat(51), "a\tb", "a\nb", "a\u0085b", "a\u007fb"]) expect(field(checkDisplayName(bad)), bad).toBe("validation_error:display_name");
  });

  it("display name: trimmed, and at least one visible character", () => {
    expect(normalizeDisplayName("\u00a0 Ada \u3000")).toBe("Ada");
    expect(checkDisplayName(` ${"x".repeat(50)} `)).toBeNull();
    expect(checkDisplayName("e\u0301")).toBeNull();
    for (const bad of ["   ", "\u200b", " \u2060\u200b ", "\ufe0f", "\u{e0041}"]) {
      expect(field(checkDisplayName(bad)), JSON.stringify(bad)).toBe("validation_error:display_name");
    }
    expect(checkDisplayName("\u200b")!.message).toBe(nothingVisible("Display name"));
  });

  it("bio: up to 160 after CR normalisation; newline and tab allowed", () => {
    expect(checkBio("")).toBeNull();
    expect(checkBio("a\tb\nc")).toBeNull();
    expect(checkBio("x".repeat(159) + "\r\n")).toBeNull();
    expect(normalizeBio("a\r\nb\rc")).toBe("a\nb\nc");
    for (const bad of ["x".repeat(161), "a\u0007", "a\u009f", "a\u0000"]) expect(field(checkBio(bad)), bad).toBe("validation_error:bio");
  });

  it("post content: normalised, trimmed, 1 to 140, controls refused", () => {
    expect(normalizePostContent("\u00a0 a\r\nb \ufeff")).toBe("a\nb");
    expect(checkPostContent("x".repeat(140))).toBeNull();
    expect(checkPostContent(" ".repeat(10) + "x".repeat(140) + "\n")).toBeNull();
    expect(field(checkPostContent("x".repeat(141)))).toBe("content_too_long:content");
    expect(checkPostContent("x".repeat(141))!.message).toMatch(/141.*140/);
    for (const bad of ["", " \n\t ", "a\u0001", "a\u007f", "a\u0000", "\udc00"]) expect(field(checkPostContent(bad)), bad).toBe("validation_error:content");
  });

  it("post content: at least one visible character", () => {
    for (const bad of ["\u200b", " \u200b\n\u2060 ", "\u00ad\u034f", "\ufeff\u200b"]) {
      expect(field(checkPostContent(bad)), JSON.stringify(bad)).toBe("validation_error:content");
    }
    expect(checkPostContent("\u200b")!.message).toBe(nothingVisible("Post"));
    for (const ok of ["a\u200b", "🎉", "\u0301", "漢", "\u200bx\u200b"]) expect(checkPostContent(ok), JSON.stringify(ok)).toBeNull();
  });

  it("knows as invisible exactly Unicode's white space and default-ignorable code points", () => {
    const invisible = /[\s\p{Default_Ignorable_Code_Point}]/u;
    const disagree: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogates never get this far
      const ch = String.fromCodePoint(cp);
      if (hasVisibleChar(ch) === invisible.test(ch)) disagree.push(cp.toString(16));
    }
    expect(disagree).toEqual([]);
  });

  it("refuses U+0000 and lone surrogates under the field's own name, before any other rule", () => {
    const cases: Array<[(v: string) => ReturnType<typeof checkUsername>, string, string]> = [
      [checkUsername, "username", "abc"], [checkEmail, "email", "a@b.io"], [checkPassword, "password", "password123"],
      [checkDisplayName, "display_name", "Name"], [checkBio, "bio", "bio"], [checkPostContent, "content", "post"],
    ];
    for (const [check, name, good] of cases) {
      expect(check(good), name).toBeNull();
      for (const bad of [`${good}\u0000`, `${good}\ud800`, `\udfff${good}`]) {
        const error = check(bad);
        expect(error, `${name} ${JSON.stringify(bad)}`).toMatchObject({ code: "validation_error", field: name });
        expect(error!.message).toMatch(/characters that are not allowed/);
      }
    }
    expect(checkEmail(`${"a".repeat(249)}@b.io`)).toBeNull(); // exactly 254
    expect(checkEmail("a@b.io")).toBeNull();
    expect(checkEmail("a\u0001b@c.io")!.message).toMatch(/valid e-mail/);
    expect(checkDisplayName("")!.message).toMatch(/1–50/);
    expect(checkDisplayName("a\tb")!.message).toMatch(/control/);
    expect(checkBio("x".repeat(161))!.message).toMatch(/160/);
    expect(checkBio("\u0007")!.message).toMatch(/control/);
    expect(checkPostContent("")!.message).toMatch(/empty/);
    expect(checkPostContent("\u0007")!.message).toMatch(/control/);
  });

  it("helpers", () => {
    expect(countChars("a🎉e\u0301")).toBe(4);
    expect(isStorableString("ok")).toBe(true);
    expect(isStorableString("a\u0000")).toBe(false);
    expect(isStorableString("\ud800")).toBe(false);
    expect(hasControlChars("a\tb")).toBe(true);
    expect(hasControlChars("a b")).toBe(false);
    expect(firstError(() => null, () => checkPassword("x"), () => checkUsername("x"))?.field).toBe("password");
    expect(firstError(() => null)).toBeNull();
  });
});

describe("input rules (properties)", () => {
  it("normalised post content is trimmed, LF-only, and 1–140 code points when accepted", () => {
    fc.assert(fc.property(trickyString(160), (raw) => {
      const error = checkPostContent(raw);
      const stored = normalizePostContent(raw);
      if (error) return;
      expect(stored).toBe(stored.trim());
      expect(stored).not.toContain("\r");
      expect(stored).not.toContain("\u0000");
      expect(stored.isWellFormed()).toBe(true);
      expect(countChars(stored)).toBeGreaterThanOrEqual(1);
      expect(countChars(stored)).toBeLessThanOrEqual(140);
    }), { numRuns: 2000 });
  });

  it("content_too_long exactly when the normalised text exceeds 140 code points", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.constantFrom("x", "🎉", "漢", "e\u0301"), (n, unit) => {
      const text = unit.repeat(n);
      const error = checkPostContent(text);
      expect(error?.code === "content_too_long").toBe(countChars(text) > 140);
    }));
  });

  it("usernames: accepted ones are ASCII, 3–15, no edge or double underscores", () => {
    fc.assert(fc.property(fc.oneof(trickyString(20), fc.stringMatching(/^[A-Za-z0-9_]{0,17}$/)), (name) => {
      if (checkUsername(name)) return;
      expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_]{1,13}[A-Za-z0-9]$/);
      expect(name).not.toContain("__");
    }), { numRuns: 2000 });
  });
});

