// The single executable's entry point (npm run package bundles it with everything it imports):
// one file that is both commands. It is the server CLI (serve, migrate, seed, --help,
// --version) when
//   - invoked by a name starting with "niotebook-server" (a copy or a symlink so named), or
//   - invoked as `niotebook serve [ARGS]`: ARGS are the server's (`niotebook serve migrate`);
//     `niotebook serve` alone serves, or
//   - started by the server itself (a node:cluster worker);
// and the terminal client (bin/niotebook.js) otherwise.
// Everything is bundled into one CommonJS file, so the import()s below are resolved at build
// time: nothing is read from disk but the executable.
import { basename } from "node:path";

const SERVER_COMMAND = "serve";

function isServer(argv0: string, args: readonly string[]): boolean {
  return basename(argv0).startsWith("niotebook-server") || args[0] === SERVER_COMMAND || process.env.NODE_UNIQUE_ID !== undefined;
}

function runServer(args: readonly string[]): void {
  // glibc returns freed argon2 buffers (19 MiB each) to the system instead of keeping them
  // (bin/niotebook-server.js does the same); the setting must be in place before start, so
  // the process replaces itself once (same PID). Its V8 flags are the executable's execArgv.
  const serving = !args.some((arg) => /^(-h|--help|-v|--version)$/.test(arg)) &&
    [undefined, SERVER_COMMAND].includes(args[0] === SERVER_COMMAND ? args[1] : args[0]);
  if (serving && process.env.MALLOC_MMAP_THRESHOLD_ === undefined && typeof process.execve === "function") {
    try {
      process.execve(process.execPath, [process.argv0, ...args], { ...process.env, MALLOC_MMAP_THRESHOLD_: "131072" });
    } catch {
      // Could not replace the process (an unusual platform or sandbox): run as we are.
    }
  }
  // `niotebook serve migrate` is `niotebook-server migrate`; `niotebook serve` stays "serve".
  if (args[0] === SERVER_COMMAND && args.length > 1) process.argv.splice(2, 1);
  void import("node:cluster").then(({ default: cluster }) => {
    // A worker forked by NIOTEBOOK_WORKERS is this executable again: started with "serve" and
    // nothing else (the default would pass the executable's own flags on as arguments).
    if (cluster.isPrimary) cluster.setupPrimary({ exec: SERVER_COMMAND, execArgv: [], args: [] });
    return import("../server/main.js");
  });
}

function runClient(): void {
  // As bin/niotebook.js: an interactive terminal is never CI for Ink. (React's production
  // build is chosen at build time: the bundle defines process.env.NODE_ENV.)
  if (process.stdout.isTTY && process.stdin.isTTY) {
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  void import("../client/main.js");
}

const args = process.argv.slice(2);
if (isServer(process.argv0, args)) runServer(args);
else runClient();
