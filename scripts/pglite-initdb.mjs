#!/usr/bin/env node
// npm run build's third step: a freshly initialised PGlite database as a tarball
// (dist/pglite/initdb.tar.gz), which a new data folder is loaded from instead of running
// PGlite's initdb (about 6 s of WebAssembly; loading the archive takes about 2 s:
// docs/design-notes.md). Only what initdb makes is in it: the migrations still run at start.
// Made again when the installed PGlite's version differs from the one that made it.
//   node scripts/pglite-initdb.mjs
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "dist", "pglite");
const archive = join(outDir, "initdb.tar.gz");
const stamp = join(outDir, "initdb.json");

const require = createRequire(join(root, "package.json"));
const pgliteRoot = dirname(dirname(require.resolve("@electric-sql/pglite"))); // …/dist/index.js → the package
const version = JSON.parse(readFileSync(join(pgliteRoot, "package.json"), "utf8")).version;

function madeBy() {
  try {
    return JSON.parse(readFileSync(stamp, "utf8")).pglite;
  } catch {
    return undefined;
  }
}

if (existsSync(archive) && madeBy() === version) process.exit(0);

const { PGlite } = await import("@electric-sql/pglite");
const pg = await PGlite.create();
const bytes = new Uint8Array(await (await pg.dumpDataDir("gzip")).arrayBuffer());
await pg.close();
mkdirSync(outDir, { recursive: true });
// Written whole under another name first: a build stopped halfway leaves no half archive.
writeFileSync(`${archive}.tmp`, bytes);
renameSync(`${archive}.tmp`, archive);
writeFileSync(stamp, `${JSON.stringify({ pglite: version })}\n`);
console.log(`pglite-initdb: ${archive} (${bytes.byteLength} bytes, PGlite ${version})`);
