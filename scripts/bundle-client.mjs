#!/usr/bin/env node
// npm run build's second step: the terminal client as a few ES module files
// (dist/bundle/client/), which bin/niotebook.js loads instead of dist/client/ when they are
// at least as new. Unbundled, the TUI's first paint resolved and read ~600 files (es-toolkit
// alone, for Ink's one throttle(), is 415); the bundle is one file per lazily loaded part:
// `niotebook whoami` reads the commands' chunk, never Ink or React (docs/startup.md).
//   node scripts/bundle-client.mjs
import { readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Three folders below the root, as dist/client/cli/ is: version.ts and local-server.ts find
// package.json and bin/niotebook-server.js at ../../../ from import.meta.url.
const outdir = join(root, "dist", "bundle", "client");

/** esbuild's options for the client bundle (test/client/startup-graph.test.ts builds with them too). */
export function clientBundleOptions(root, outdir) {
  return {
    absWorkingDir: root,
    entryPoints: { niotebook: "src/client/main.tsx" },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node24",
    // Smaller to read and parse; names kept, so a crash's stack still says where.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    define: { "process.env.NODE_ENV": '"production"' },
    // CommonJS packages (React) require() Node's built-ins; an ES module has no require.
    banner: { js: 'import { createRequire as __niotebookRequire } from "node:module"; const require = __niotebookRequire(import.meta.url);' },
    // Only Ink's development mode loads React DevTools; it is not a dependency.
    external: ["react-devtools-core"],
    plugins: [startupPatching],
  };
}

// Two packages patched as they are bundled, for the TUI's first frame (docs/startup.md). Each
// replaces an exact text, so a version that changes it stops the build rather than drift.
export const startupPatches = [
  {
    // Yoga (Ink's layout) carries its WebAssembly as a data: URL and, where fetch exists, loads
    // it with fetch: on Node that sets up undici before the first frame, which nothing else on
    // that path needs any more (src/client/http-fetch.ts). Its own synchronous decoder does.
    file: "node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js",
    text: 'function ya(){return w||"function"!=typeof fetch?',
    with: "function ya(){return!0?",
  },
  {
    // string-width tests every cluster of a string that is not plain ASCII ("@bob · 1m") with
    // /^\p{RGI_Emoji}$/v, a pattern of thousands of sequences that takes 40-50 ms of CPU to
    // build and first run. Asked only of a cluster that can be one (UTS #51: a lone code point
    // only if Emoji_Presentation, a sequence only if it starts with an Emoji code point), and
    // built then; the answers are the same (test/client/string-width-patch.test.ts).
    // string-width 8 itself (Ink's); wrap-ansi's older copy under its own node_modules is not it.
    file: "node_modules/string-width/index.js",
    text: "const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;",
    with: `let rgiEmojiPattern;
const loneEmojiPresentation = /^\\p{Emoji_Presentation}$/u;
const emojiFirst = /^\\p{Emoji}/u;
const rgiEmojiRegex = {
	test(segment) {
		const lone = segment.length === (segment.codePointAt(0) > 0xFFFF ? 2 : 1);
		if (!(lone ? loneEmojiPresentation : emojiFirst).test(segment)) return false;
		rgiEmojiPattern ??= /^\\p{RGI_Emoji}$/v;
		return rgiEmojiPattern.test(segment);
	},
};`,
  },
];

/** The source of a bundled file (its path from the root, with /) with its start-up patch, if any. */
export function patchedSource(path, source) {
  const patch = startupPatches.find((p) => p.file === path);
  if (!patch) return source;
  if (!source.includes(patch.text)) throw new Error(`bundle-client: ${path} no longer holds ${patch.text}`);
  return source.replace(patch.text, () => patch.with);
}

const startupPatching = {
  name: "startup-patches",
  setup(build) {
    build.onLoad({ filter: /(yoga-wasm-base64-esm|string-width[\\/]index)\.js$/ }, (args) => {
      const path = relative(build.initialOptions.absWorkingDir ?? process.cwd(), args.path).split(sep).join("/");
      if (!startupPatches.some((p) => p.file === path)) return undefined;
      return { contents: patchedSource(path, readFileSync(args.path, "utf8")), loader: "js" };
    });
  },
};

if (import.meta.main) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    // An install without devDependencies: bin/niotebook.js runs dist/client/ as it is.
    console.log("bundle-client: no esbuild; bin/niotebook.js will load dist/client/ unbundled");
    process.exit(0);
  }
  rmSync(outdir, { recursive: true, force: true });
  const started = Date.now();
  const result = await esbuild.build(clientBundleOptions(root, outdir));
  const files = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith(".js"));
  const total = files.reduce((sum, [, out]) => sum + out.bytes, 0);
  console.log(`bundle-client: ${relative(process.cwd(), outdir)} (${files.length} files, ${(total / 1024).toFixed(0)} KB) in ${Date.now() - started} ms`);
  statSync(join(outdir, "niotebook.js"));
}
