#!/usr/bin/env node
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
await import("../dist/client/main.js");
