#!/usr/bin/env node
import { statSync } from "node:fs";
import module from "node:module";
import "./require-node.js";
// Node's on-disk cache of compiled modules (in the OS temp folder): later starts skip parsing
// and compiling the client. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
// React's production build: the development build is several times slower per frame.
process.env.NODE_ENV ??= "production";
// Ink draws only a final frame when it believes it runs in CI (CI=true). An interactive
// terminal is never CI for us: a person (or a tmux test) is looking at it.
if (process.stdout.isTTY && process.stdin.isTTY) {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
}
// The bundle (scripts/bundle-client.mjs, part of npm run build) when it is at least as new as
// tsc's output: a few files to read instead of ~600 (docs/startup.md). A tsc-only build, or
// an install without esbuild, runs dist/client/ as it is; so does NIOTEBOOK_UNBUNDLED=1 (real
// file names in stack traces; bench/startup.ts compares the two).
const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = process.env.NIOTEBOOK_UNBUNDLED !== "1" && mtime("../dist/bundle/client/niotebook.js") >= mtime("../dist/client/main.js");
await import(bundled ? "../dist/bundle/client/niotebook.js" : "../dist/client/main.js");
