// The mentions-and-tags parser (src/api/entities.ts): the contract's examples, edge cases,
// and properties over generated text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeTag, parseEntities, type Entities } from "../../src/api/entities.js";
import { trickyString } from "../support/tricky-strings.js";

const mentions = (text: string) => parseEntities(text).mentions;
const tags = (text: string) => parseEntities(text).tags;

describe("mentions", () => {
  it("the contract's examples", () => {
    expect(mentions("mail@example.com")).toEqual([]);
    expect(mentions("@alice hi")).toEqual(["alice"]);
  });

  it("are case-insensitive, each once, in order of first appearance", () => {
    expect(mentions("@Bob and @alice, then @BOB again and @bob")).toEqual(["bob", "alice"]);
  });

  it("need a start or a character that is not a letter, digit, _ or @ before them", () => {
    expect(mentions("(@alice) x@bob _@carol 9@dave @@erin é@frank e\u0301@gina 漢@hank")).toEqual(["alice"]);
    expect(mentions("hi,@alice.\n@bob!")).toEqual(["alice", "bob"]);
  });

  it("follow the v1 username rules; a run that goes on is not a mention", () => {
    expect(mentions("@ab @abc @abcdefghijklmno @abcdefghijklmnop")).toEqual(["abc", "abcdefghijklmno"]);
    expect(mentions("@_abc @abc_ @a__b @admin @timeline")).toEqual([]);
    expect(mentions("@bob@host @bobé @bob's @bob-x")).toEqual(["bob"]);
  });

  it("report where each occurrence is", () => {
    const { spans } = parseEntities("hey @Bob, @bob");
    expect(spans).toEqual([
      { kind: "mention", value: "bob", start: 4, end: 8 },
      { kind: "mention", value: "bob", start: 10, end: 14 },
    ]);
  });
});

describe("tags", () => {
  it("the contract's examples", () => {
    expect(tags("#हिन्दी")).toEqual(["हिन्दी"]);
    expect(parseEntities("#हिन्दी").spans).toHaveLength(1);
  });

  it("are lower-cased, each once, in order", () => {
    expect(tags("#Rust #go #RUST #Go_lang")).toEqual(["rust", "go", "go_lang"]);
  });

  it("need at least one letter, 1–50 characters, and end at the first other character", () => {
    expect(tags("#123 #_ #1a #")).toEqual(["1a"]);
    expect(tags(`#${"a".repeat(50)} #${"b".repeat(51)}`)).toEqual(["a".repeat(50)]);
    expect(tags("#rust-lang #c++ #日本語です。")).toEqual(["rust", "c", "日本語です"]);
  });

  it("need a start, white space or punctuation other than # and & before them", () => {
    expect(tags("a#x ##y &#z $#w")).toEqual([]);
    expect(tags("(#a) ,#b \u3000#c \n#d")).toEqual(["a", "b", "c", "d"]);
  });

  it("are compared after NFC: decomposed and composed forms are one tag", () => {
    const composed = "#caf\u00e9";
    const decomposed = "#cafe\u0301";
    expect(tags(`${composed} ${decomposed}`)).toEqual(["caf\u00e9"]);
    // 50 letters after NFC, 100 code points before it.
    expect(tags(`#${"e\u0301".repeat(50)}`)).toEqual(["\u00e9".repeat(50)]);
    const span = parseEntities(decomposed).spans[0]!;
    expect(decomposed.slice(span.start, span.end)).toBe(decomposed);
  });

  it("normalizeTag reads a tag as typed in a path", () => {
    expect(normalizeTag("Rust")).toBe("rust");
    expect(normalizeTag("#Rust")).toBe("rust");
    expect(normalizeTag("rust lang")).toBeNull();
    expect(normalizeTag("123")).toBeNull();
    expect(normalizeTag("")).toBeNull();
  });
});

// Text that is dense in the interesting characters.
const entityish = fc.array(fc.oneof(
  fc.constantFrom("@", "#", "&", " ", ".", "_", "\n", "é", "e\u0301", "İ", "ß", "हि", "न्", "漢", "🎉", "\ud800"),
  fc.constantFrom("alice", "Bob", "ab", "a__b", "x1", "abcdefghijklmnop", "123"),
  trickyString(4),
), { maxLength: 30 }).map((parts) => parts.join(""));

function checkSpans(text: string, found: Entities): void {
  for (const span of found.spans) {
    const slice = text.slice(span.start, span.end);
    if (span.kind === "mention") {
      expect(slice[0]).toBe("@");
      expect(slice.slice(1).toLowerCase()).toBe(span.value);
      expect(found.mentions).toContain(span.value);
    } else {
      expect(slice[0]).toBe("#");
      expect(slice.slice(1).normalize("NFC").toLowerCase().normalize("NFC")).toBe(span.value);
      expect(found.tags).toContain(span.value);
    }
  }
}

describe("properties on generated text", () => {
  it("never throws; every reported entity is found at its position; lists hold no duplicates", () => {
    fc.assert(fc.property(fc.oneof(entityish, fc.string({ unit: "binary", maxLength: 40 })), (text) => {
      const found = parseEntities(text);
      checkSpans(text, found);
      expect(new Set(found.mentions).size).toBe(found.mentions.length);
      expect(new Set(found.tags).size).toBe(found.tags.length);
      // Spans are in text order and never overlap.
      for (let i = 1; i < found.spans.length; i++) expect(found.spans[i]!.start).toBeGreaterThanOrEqual(found.spans[i - 1]!.end);
      // The lists are the spans' values, first appearance first.
      expect(found.mentions).toEqual([...new Set(found.spans.filter((s) => s.kind === "mention").map((s) => s.value))]);
      expect(found.tags).toEqual([...new Set(found.spans.filter((s) => s.kind === "tag").map((s) => s.value))]);
    }), { numRuns: 2000 });
  });

  it("is idempotent: the entities written out again parse to themselves, and NFC changes nothing", () => {
    fc.assert(fc.property(entityish, (text) => {
      const found = parseEntities(text);
      const again = parseEntities([...found.mentions.map((m) => `@${m}`), ...found.tags.map((t) => `#${t}`)].join(" "));
      expect(again.mentions).toEqual(found.mentions);
      expect(again.tags).toEqual(found.tags);
      if (text.isWellFormed()) {
        const nfc = parseEntities(text.normalize("NFC"));
        expect(nfc.mentions).toEqual(found.mentions);
        expect(nfc.tags).toEqual(found.tags);
      }
    }), { numRuns: 2000 });
  });

  it("finds an entity placed between separators in any text", () => {
    fc.assert(fc.property(entityish, entityish, fc.constantFrom("alice", "Zed_9", "x_y"), fc.boolean(), (a, b, name, asTag) => {
      const text = `${a} ${asTag ? "#" : "@"}${name} ${b}`;
      const found = parseEntities(text);
      expect(asTag ? found.tags : found.mentions).toContain(name.toLowerCase());
    }), { numRuns: 1000 });
  });
});
