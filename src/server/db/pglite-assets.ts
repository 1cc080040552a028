// PGlite inside the single executable (npm run package): its WebAssembly and file-system
// bundle are carried in the executable as SEA assets, so they are handed to PGlite through its
// options instead of being read next to its JavaScript in node_modules (there is none).
// Outside a single executable this returns {} and PGlite finds its own files as usual.
import type { PGliteOptions } from "@electric-sql/pglite";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sea from "node:sea";
import { pathToFileURL } from "node:url";

type WasmModule = NonNullable<PGliteOptions["pgliteWasmModule"]>;

/** The SEA asset names; scripts/package.mjs reads them from here and stores the files under them. */
export const PGLITE_ASSETS = {
  pgliteWasm: "pglite/pglite.wasm",
  initdbWasm: "pglite/initdb.wasm",
  fsBundle: "pglite/pglite.data",
  /** A freshly initialised database (scripts/pglite-initdb.mjs): a new data folder starts from it. */
  initdbArchive: "pglite/initdb.tar.gz",
} as const;

/** The contrib extensions the server loads (search/extensions.ts), stored as assets too. */
export const PGLITE_EXTENSION_ASSETS = {
  pg_trgm: "pglite/pg_trgm.tar.gz",
  unaccent: "pglite/unaccent.tar.gz",
} as const;

export interface PGliteAssetOptions {
  pgliteWasmModule?: WasmModule;
  initdbWasmModule?: WasmModule;
  fsBundle?: Blob;
  extensions?: PGliteOptions["extensions"];
}

// The project's lib (ES2024, no DOM) types WebAssembly's modules but not its functions.
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: ArrayBuffer): Promise<WasmModule> } }).WebAssembly;

/** Extra PGlite options when running as the single executable, else {}. */
export async function pgliteAssetOptions(): Promise<PGliteAssetOptions> {
  if (!sea.isSea()) return {};
  // getRawAsset returns the bytes in the executable's memory without a copy; compiling from
  // them is the only work. The two modules compile in parallel.
  const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
    wasm.compile(sea.getRawAsset(PGLITE_ASSETS.pgliteWasm)),
    wasm.compile(sea.getRawAsset(PGLITE_ASSETS.initdbWasm)),
  ]);
  return { pgliteWasmModule, initdbWasmModule, fsBundle: sea.getAssetAsBlob(PGLITE_ASSETS.fsBundle), extensions: extensionsFromAssets() };
}

/**
 * The archive of a freshly initialised database (npm run build makes it in dist/pglite/), for
 * PGlite's `loadDataDir` when the data folder has no database yet: loading it takes about a
 * third of initdb's time. Undefined when there is none (running from src/ before a build):
 * PGlite then runs initdb as usual.
 */
export function initdbArchive(): Blob | undefined {
  if (sea.isSea()) return sea.getAssetAsBlob(PGLITE_ASSETS.initdbArchive);
  const file = new URL("../../pglite/initdb.tar.gz", import.meta.url); // dist/server/db/ → dist/pglite/
  return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
}

// PGlite reads an extension's bundle from a file path only, so each is written once per start
// to a private temporary folder (tens of kilobytes).
function extensionsFromAssets(): NonNullable<PGliteOptions["extensions"]> {
  const dir = mkdtempSync(join(tmpdir(), "niotebook-pglite-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return Object.fromEntries(Object.entries(PGLITE_EXTENSION_ASSETS).map(([name, asset]) => {
    const file = join(dir, `${name}.tar.gz`);
    writeFileSync(file, new Uint8Array(sea.getRawAsset(asset)));
    return [name, { name, setup: async () => ({ bundlePath: pathToFileURL(file) }) }];
  }));
}
