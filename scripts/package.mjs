#!/usr/bin/env node
// npm run package: builds build/package/niotebook, one executable for Linux x64 that is the
// server and the client (src/sea/main.ts says which when), with no Node.js or node_modules
// needed beside it. Node's single-executable applications: the JavaScript bundled into one
// CommonJS file by esbuild, PGlite's WebAssembly and file-system bundle stored as SEA assets
// (src/server/db/pglite-assets.ts hands them to PGlite), the blob injected into a copy of
// this Node binary with postject.
//   node scripts/package.mjs [--if-needed] [--no-code-cache]
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "build", "package");
const output = join(outDir, "niotebook");
const args = process.argv.slice(2);
const require = createRequire(join(root, "package.json"));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

// PGlite's files, stored under the names src/server/db/pglite-assets.ts reads them by (Node
// runs that TypeScript file as it is).
const { PGLITE_ASSETS, PGLITE_EXTENSION_ASSETS } = await import(pathToFileURL(join(root, "src", "server", "db", "pglite-assets.ts")).href);
const pgliteDist = dirname(require.resolve("@electric-sql/pglite"));
const assets = {
  [PGLITE_ASSETS.pgliteWasm]: join(pgliteDist, "pglite.wasm"),
  [PGLITE_ASSETS.initdbWasm]: join(pgliteDist, "initdb.wasm"),
  [PGLITE_ASSETS.fsBundle]: join(pgliteDist, "pglite.data"),
  [PGLITE_ASSETS.initdbArchive]: join(root, "dist", "pglite", "initdb.tar.gz"), // scripts/pglite-initdb.mjs
  ...Object.fromEntries(Object.entries(PGLITE_EXTENSION_ASSETS).map(([name, asset]) => [asset, join(pgliteDist, `${name}.tar.gz`)])),
};
// The initialised database is made by npm run build; made here too when only this script runs.
execFileSync(process.execPath, [join(root, "scripts", "pglite-initdb.mjs")], { stdio: ["ignore", "inherit", "inherit"] });
for (const [name, file] of Object.entries(assets)) if (!name || !existsSync(file)) fail(`PGlite asset ${name}: ${file} is missing`);

// Node options the server runs with (bin/niotebook-server.js explains each); in a single
// executable they can only be given here, and so apply to the client too (measured harmless).
const EXEC_ARGV = ["--max-semi-space-size=16", "--heap-growing-percent=50", "--no-allocation-site-pretenuring", "--no-maglev"];

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(1);
}

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

if (args.includes("--if-needed")) {
  try {
    const built = statSync(output).mtimeMs;
    const inputs = ["src", "package.json", "package-lock.json", "scripts/package.mjs"].map((p) => newestMtime(join(root, p)));
    if (Math.max(...inputs) < built) {
      console.log(`package: ${relative(process.cwd(), output)} is up to date`);
      process.exit(0);
    }
  } catch {
    // Not built yet.
  }
}

if (process.platform !== "linux" || process.arch !== "x64") fail(`builds for Linux x64 only (this is ${process.platform} ${process.arch})`);
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 24 || (major === 24 && minor < 7)) fail(`needs Node.js 24.7 or newer to embed (this is ${process.version})`);

let esbuild;
try {
  esbuild = await import("esbuild");
} catch (error) {
  fail(`esbuild is missing (npm ci installs it as a devDependency): ${error.message}`);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const started = Date.now();

// Files that find things next to themselves through import.meta.url, and ES modules that wait
// at their top level (which a CommonJS bundle cannot): each is given, at build time, what it
// would have found or waited for. Each pattern must still match the source it replaces, or the
// build stops here rather than ship a broken file.
const yogaBinary = readFileSync(join(root, "node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js"), "utf8");
const yogaBase64 = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(yogaBinary)?.[1];
if (!yogaBase64) fail("yoga-layout's WebAssembly is no longer inline in its loader; update scripts/package.mjs");
const replacements = [
  {
    file: "src/server/version.ts",
    contents: `export const VERSION: string = ${JSON.stringify(pkg.version)};\n`,
  },
  {
    file: "src/client/cli/version.ts",
    contents: `export function clientVersion(): string { return ${JSON.stringify(pkg.version)}; }\n`,
  },
  {
    // `niotebook local` starts `process.execPath SERVER_SCRIPT`: here, this executable with
    // "serve" (see src/sea/main.ts).
    file: "src/client/cli/local-server.ts",
    edits: [[/export const SERVER_SCRIPT = fileURLToPath\(new URL\("[^"]*bin\/niotebook-server\.js", import\.meta\.url\)\);/, 'export const SERVER_SCRIPT = "serve";']],
  },
  {
    // Ink's development-only extras (React DevTools, its own package.json) load with a
    // top-level await when DEV=true; the executable has neither.
    file: "node_modules/ink/build/reconciler.js",
    edits: [
      [/await import\('\.\/devtools\.js'\);/, "void 0;"],
      [/\? await loadPackageJson\(\)/, "? { name: undefined, version: undefined }"],
    ],
  },
  {
    // yoga-layout (Ink's layout engine) awaits its WebAssembly at the top level. Emscripten
    // lets the embedder instantiate it: done synchronously, the module is ready on return.
    file: "node_modules/yoga-layout/dist/src/index.js",
    contents: `import loadYoga from "../binaries/yoga-wasm-base64-esm.js";
import wrapAssembly from "./wrapAssembly.js";
const lib = {
  instantiateWasm(imports, done) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(${JSON.stringify(yogaBase64)}, "base64")), imports);
    done(instance);
    return instance.exports;
  },
};
loadYoga(lib);
if (!lib.calledRun) throw new Error("yoga-layout did not start synchronously");
const Yoga = wrapAssembly(lib);
export default Yoga;
export * from "./generated/YGEnums.js";
`,
  },
];
const replaced = new Set();
const sourceReplacements = {
  name: "source-replacements",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (loadArgs) => {
      // A package's files are named from their node_modules folder on (it may be a link).
      const path = loadArgs.path.split("\\").join("/");
      const rel = path.includes("/node_modules/") ? `node_modules/${path.split("/node_modules/").pop()}` : relative(root, path).split("\\").join("/");
      const entry = replacements.find((r) => r.file === rel);
      if (!entry) return undefined;
      replaced.add(rel);
      const loader = rel.endsWith(".ts") ? "ts" : "js";
      if (entry.contents !== undefined) return { contents: entry.contents, loader };
      let source = readFileSync(loadArgs.path, "utf8");
      for (const [pattern, replacement] of entry.edits) {
        if (!pattern.test(source)) {
          return { errors: [{ text: `${rel} no longer has what this build replaces (${pattern}); update scripts/package.mjs` }] };
        }
        source = source.replace(pattern, replacement);
      }
      return { contents: source, loader };
    });
  },
};

const bundlePath = join(outDir, "niotebook.cjs");
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["src/sea/main.ts"],
  outfile: bundlePath,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node24",
  minify: true,
  keepNames: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  // The single executable's main script is CommonJS; the ES modules inside that read
  // import.meta.url (PGlite's loader) get the executable's own file URL.
  define: {
    "import.meta.url": "__niotebook_import_meta_url",
    "process.env.NODE_ENV": '"production"',
  },
  banner: { js: 'var __niotebook_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  // What the packages only try to load (pg's native add-on, React DevTools) is left out.
  external: ["pg-native", "react-devtools-core"],
  plugins: [sourceReplacements],
});
for (const r of replacements) if (!replaced.has(r.file)) fail(`${r.file} was not in the bundle; update scripts/package.mjs`);
writeFileSync(join(outDir, "meta.json"), JSON.stringify(result.metafile));

// With a code cache the executable's main script cannot import() (Node's SEA documentation),
// and esbuild keeps import() for Node's built-in modules: those become require()s that resolve
// to what import() would have (the module's exports, and itself as the default).
const { isBuiltin } = await import("node:module");
let bundle = readFileSync(bundlePath, "utf8");
const unresolved = new Set();
bundle = bundle.replace(/\bimport\((["'])([^"'`]+)\1\)/g, (call, _quote, id) => {
  if (!isBuiltin(id)) {
    unresolved.add(id);
    return call;
  }
  return `__niotebook_import(${JSON.stringify(id)})`;
});
if (unresolved.size) fail(`the bundle imports what it does not hold: ${[...unresolved].join(", ")}`);
if (/\bimport\(/.test(bundle)) fail("the bundle still holds an import() of a computed name; it would fail inside the executable");
bundle = bundle.replace(
  "var __niotebook_import_meta_url",
  "var __niotebook_import = (id) => Promise.resolve().then(() => { const m = require(id); return Object.create(m, { default: { value: m } }); });\nvar __niotebook_import_meta_url",
);
writeFileSync(bundlePath, bundle);

const useCodeCache = !args.includes("--no-code-cache");
const seaConfig = {
  main: bundlePath,
  output: join(outDir, "sea-prep.blob"),
  disableExperimentalSEAWarning: true,
  useSnapshot: false,
  useCodeCache,
  execArgv: EXEC_ARGV,
  assets,
};
writeFileSync(join(outDir, "sea-config.json"), JSON.stringify(seaConfig, null, 2));
// The code cache is made under the same V8 flags the executable runs with: V8 rejects a cache
// made under others (and then compiles everything, slower than having no cache).
execFileSync(process.execPath, [...EXEC_ARGV, "--experimental-sea-config", join(outDir, "sea-config.json")], { stdio: ["ignore", "ignore", "inherit"] });

// The embedded runtime is this Node binary, without its symbol tables when `strip` exists
// (126.6 -> 108.5 MB for Node 24.21; the dynamic symbols native add-ons link against stay).
copyFileSync(process.execPath, output);
chmodSync(output, 0o755);
try {
  execFileSync("strip", [output], { stdio: "ignore" });
} catch {
  console.log("package: no strip; the executable keeps Node's symbol tables");
}
const postject = join(dirname(require.resolve("postject/package.json")), "dist", "cli.js");
execFileSync(process.execPath, [postject, output, "NODE_SEA_BLOB", seaConfig.output, "--sentinel-fuse", "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"], {
  stdio: ["ignore", "ignore", "pipe"],
});
rmSync(seaConfig.output);

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
console.log(`package: ${relative(process.cwd(), output)} (${mb(statSync(output).size)}; JavaScript ${mb(bundle.length)}, code cache ${useCodeCache ? "on" : "off"}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
