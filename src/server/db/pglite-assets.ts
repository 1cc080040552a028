// PGlite inside the single executable (npm run package): its WebAssembly and file-system
// bundle are carried in the executable as SEA assets, so they are handed to PGlite through its
// options instead of being read next to its JavaScript in node_modules (there is none).
// Outside a single executable this returns {} and PGlite finds its own files as usual.
import type { PGliteOptions } from "@electric-sql/pglite";
import * as sea from "node:sea";

type WasmModule = NonNullable<PGliteOptions["pgliteWasmModule"]>;

/** The SEA asset names; scripts/package.mjs reads them from here and stores the files under them. */
export const PGLITE_ASSETS = {
  pgliteWasm: "pglite/pglite.wasm",
  initdbWasm: "pglite/initdb.wasm",
  fsBundle: "pglite/pglite.data",
} as const;

export interface PGliteAssetOptions {
  pgliteWasmModule?: WasmModule;
  initdbWasmModule?: WasmModule;
  fsBundle?: Blob;
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
  return { pgliteWasmModule, initdbWasmModule, fsBundle: sea.getAssetAsBlob(PGLITE_ASSETS.fsBundle) };
}
