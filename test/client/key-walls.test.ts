// Every key goes through the key table (src/client/keys/bindings.ts): no file outside
// src/client/keys/ reads raw input or compares key names, so the help, the hints and what a
// key does cannot drift apart.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const CLIENT = join(ROOT, "src/client");
const KEYS = join(CLIENT, "keys");

/** Ways of reading keys that bypass the table: Ink's raw input hooks, a key event's fields,
 * and comparing a typed string with a literal. */
const RAW_KEY_READS: readonly RegExp[] = [
  /\buse(Input|Stdin)\b/,
  /\binternal_eventEmitter\b/,
  /\b(event|key|ev|e)\.(name|ctrl|meta|shift|text)\b/,
  /\b(input|char|ch|keyName)\s*[!=]==/,
  /[!=]==\s*["'](\\x1b|\\u001b)/i, // an escape sequence (a tab or newline may be text)
];

function rawKeyReads(source: string): string[] {
  return source.split("\n").filter((line) => RAW_KEY_READS.some((pattern) => pattern.test(line)));
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === KEYS ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("key walls", () => {
  it("recognise a raw key read when they see one", () => {
    expect(rawKeyReads('    if (event.name === "q" && !event.ctrl && !event.meta) {')).toHaveLength(1);
    expect(rawKeyReads('useInput((input, key) => { if (input === "q") exit(); });')).toHaveLength(1);
    expect(rawKeyReads('if (raw === "\\x1b[A") up();')).toHaveLength(1);
    expect(rawKeyReads('if (commandFor(event, ["global"]) === "quit") quit();')).toHaveLength(0);
    expect(rawKeyReads('const timedOut = error.name === "TimeoutError";')).toHaveLength(0);
  });

  it("no file under src/client outside src/client/keys/ reads raw keys", () => {
    const offenders = sources(CLIENT).flatMap((file) =>
      rawKeyReads(readFileSync(file, "utf8")).map((line) => `${relative(ROOT, file)}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
