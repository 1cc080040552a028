#!/usr/bin/env node
// npm run build's second step: the terminal client as a few ES module files
// (dist/bundle/client/), which bin/niotebook.js loads instead of dist/client/ when they are
// at least as new. Unbundled, the TUI's first paint resolved and read ~600 files (es-toolkit
// alone, for Ink's one throttle(), is 415); the bundle is one file per lazily loaded part:
// `niotebook whoami` reads the commands' chunk, never Ink or React (docs/startup.md).
//   node scripts/bundle-client.mjs
import { readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
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
    plugins: [yogaWithoutFetch],
  };
}

// Yoga (Ink's layout) carries its WebAssembly as a data: URL and, where fetch exists, loads it
// with fetch: on Node that compiles undici before the TUI's first frame, which nothing else on
// that path needs any more (src/client/http-fetch.ts). Its own synchronous decoder does instead.
// An exact text, so a yoga-layout that changes it stops the build rather than drift.
const YOGA_FETCH = 'function ya(){return w||"function"!=typeof fetch?';
const yogaWithoutFetch = {
  name: "yoga-without-fetch",
  setup(build) {
    build.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes(YOGA_FETCH)) throw new Error(`bundle-client: ${args.path} no longer holds ${YOGA_FETCH}`);
      return { contents: source.replace(YOGA_FETCH, "function ya(){return!0?"), loader: "js" };
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
