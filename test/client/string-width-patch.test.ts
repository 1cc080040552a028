// The client bundle's string-width asks its RGI emoji pattern only of clusters that can be RGI
// emoji (scripts/bundle-client.mjs, startupPatches): the widths must be exactly string-width's
// own, for every single code point and for emoji sequences, text-style and broken ones alike.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs build script, without type declarations
import { patchedSource } from "../../scripts/bundle-client.mjs";

type StringWidth = (text: string) => number;
const root = fileURLToPath(new URL("../..", import.meta.url));
let original: StringWidth;
let patched: StringWidth;
let folder: string;

beforeAll(async () => {
  const file = "node_modules/string-width/index.js";
  const source = readFileSync(join(root, file), "utf8");
  const patchedText = (patchedSource as (path: string, source: string) => string)(file, source);
  expect(patchedText).not.toBe(source);
  // Beside node_modules' packages, so its own imports (strip-ansi, …) resolve as the original's.
  mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
  folder = mkdtempSync(join(root, "node_modules", ".cache", "string-width-patch-"));
  writeFileSync(join(folder, "index.mjs"), patchedText);
  original = ((await import(pathToFileURL(join(root, file)).href)) as { default: StringWidth }).default;
  patched = ((await import(pathToFileURL(join(folder, "index.mjs")).href)) as { default: StringWidth }).default;
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("the bundle's string-width", () => {
  it("measures every single code point of the planes emoji live in (and a sample of the rest) as string-width does", () => {
    const differ: string[] = [];
    // Every Emoji code point is in the BMP or 1F000-1FFFF; the rest, every 61st (all: ~30 s).
    for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x10000 || (cp >= 0x1f000 && cp <= 0x1ffff) ? 1 : 61) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const text = `·${String.fromCodePoint(cp)}`; // not plain ASCII, so the cluster rules run
      if (patched(text) !== original(text)) differ.push(cp.toString(16));
    }
    expect(differ).toEqual([]);
  });

  it("measures emoji sequences, text-style emoji and look-alikes as string-width does", () => {
    const samples = [
      "👍", "👍🏽", "🇳🇱", "🇳", "1️⃣", "1⃣", "#️⃣", "©", "©️", "☺", "☺️", "❤", "❤️", "👨‍👩‍👧", "👨‍👩", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🏳️‍🌈",
      "e\u0301", "한국어", "각", "日本語", "@bob · 1m", "▸ ─ │ … —", "\u200d", "\ufe0f", "a\u200db", "🏽", "x🏽",
    ];
    for (const sample of samples) expect([sample, patched(sample)]).toEqual([sample, original(sample)]);
    // Random clusters of emoji parts, joiners, selectors and ordinary letters (a fixed seed).
    const parts = ["👍", "🏽", "\u200d", "\ufe0f", "\ufe0e", "\u20e3", "1", "#", "🇳", "🇱", "❤", "☺", "a", "é", "\u0301", "한", "🏴", "\u{e0067}", "\u{e007f}", "👨", "♀"];
    let seed = 23;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 20_000; i++) {
      let text = "·";
      for (let k = 1 + next(5); k > 0; k--) text += parts[next(parts.length)];
      if (patched(text) !== original(text)) expect([text, patched(text)]).toEqual([text, original(text)]);
    }
  });
});
