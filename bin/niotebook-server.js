#!/usr/bin/env node
// Runtime settings that must be in place before the process starts, so the server replaces
// itself once with a copy that has them (execve: same PID, so signals, the data folder's
// server.json and cluster workers are unaffected). Measured under the benchmark's load
// (docs/benchmark.md), RSS after the mixed scenario ~170 MB instead of 215-260 MB, at the same
// throughput:
// - V8 grows the old generation by a fixed 50% over what survived the last full collection,
//   instead of up to 4x while allocation is fast (the requests in flight are promoted there);
// - 16 MB semi-spaces, so fewer of those in-flight objects are promoted at all;
// - glibc returns freed argon2 buffers (19 MiB each) to the system instead of keeping them;
// - no allocation-site pretenuring and no Maglev tier. With either on, pg's row objects
//   outlived every young collection although nothing used them after the response: on the deep
//   page at one connection 1.4 MB survived each scavenge (3 KB with both off), so a full
//   collection ran every ~330 ms, and those are where the latency tail came from. Deep page
//   +15% req/s, user page +20-40%, fixed-rate p99 about 3x lower (docs/benchmark.md). Why
//   V8 keeps them (likely dead old-generation objects still pointing at young ones) is not
//   proven; the effect is measured.
// A setting the user chose is left alone.
import "./require-node.js";
import { fileURLToPath } from "node:url";

const TUNED = "NIOTEBOOK_RUNTIME_TUNED";
if (!process.env[TUNED] && typeof process.execve === "function") {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
  const flags = [
    ["max-semi-space-size", "--max-semi-space-size=16"],
    ["heap-growing-percent", "--heap-growing-percent=50"],
    ["allocation-site-pretenuring", "--no-allocation-site-pretenuring"],
    ["maglev", "--no-maglev"],
  ].filter(([name]) => !new RegExp(name.replaceAll("-", "[-_]")).test(given)).map(([, flag]) => flag);
  try {
    process.execve(
      process.execPath,
      [process.execPath, ...flags, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
      { ...process.env, [TUNED]: "1", MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? "131072" },
    );
  } catch {
    // Could not replace the process (an unusual platform or sandbox): run as we are.
  }
}
await import("../dist/server/main.js");
