#!/usr/bin/env node
// Two memory settings must be in place before the process starts, so the server replaces
// itself once with a copy that has them (execve: same PID, so signals, the data folder's
// server.json and cluster workers are unaffected). Under load they kept ~100 MB less
// resident (docs/benchmark.md): V8's young generation at 8 MB semi-spaces instead of 16, and
// glibc returning freed argon2 buffers (19 MiB each) to the system instead of keeping them.
// A semi-space size or mmap threshold the user chose is left alone.
import { fileURLToPath } from "node:url";

const TUNED = "NIOTEBOOK_RUNTIME_TUNED";
if (!process.env[TUNED] && typeof process.execve === "function") {
  const chosen = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((flag) => /max[-_]semi[-_]space[-_]size/.test(flag));
  try {
    process.execve(
      process.execPath,
      [process.execPath, ...(chosen ? [] : ["--max-semi-space-size=8"]), ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
      { ...process.env, [TUNED]: "1", MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? "131072" },
    );
  } catch {
    // Could not replace the process (an unusual platform or sandbox): run as we are.
  }
}
await import("../dist/server/main.js");
