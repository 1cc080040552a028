// `niotebook`: the terminal client's entry point (bin/niotebook.js imports the build of it).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { helpText, isScriptCommand, parseArgs } from "./cli/args.js";
import type { LocalServer } from "./cli/local-server.js";
import { clientVersion } from "./cli/version.js";
import { readConfig, writeConfig } from "./config/config-file.js";
import { configDir, ensureDir } from "./config/paths.js";
import { DEFAULT_SERVER_URL, chooseServerUrl } from "./config/server-url.js";

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === "help") {
    if (args.error) {
      process.stderr.write(`niotebook: ${args.error}\n\n${helpText(args.topic)}`);
      return 2;
    }
    process.stdout.write(helpText(args.topic));
    return 0;
  }
  if (args.command === "version") {
    process.stdout.write(`niotebook ${clientVersion()}\n`);
    return 0;
  }
  if (!isScriptCommand(args.command) && (!process.stdin.isTTY || !process.stdout.isTTY)) {
    process.stderr.write("niotebook: needs an interactive terminal (try niotebook --help)\n");
    return 2;
  }

  const dir = ensureDir(configDir());
  // Read before a default is written: an auth.json of the original client belongs to this server.
  const configuredServer = readConfig(dir).server_url;
  if (!existsSync(join(dir, "config.yaml"))) writeConfig(dir, { server_url: DEFAULT_SERVER_URL });
  // auth.json holds the session of config.yaml's server; other servers' sessions live beside it.
  const homeServer = configuredServer ?? DEFAULT_SERVER_URL;

  if (isScriptCommand(args.command)) {
    const chosen = chooseServerUrl({ flag: args.server, env: process.env.NIOTEBOOK_SERVER, config: configuredServer });
    if (chosen.problem) {
      process.stderr.write(`niotebook: ${chosen.problem}\n`);
      return 2;
    }
    // A reader that stopped early (`niotebook timeline --json | head -1`) is not a failure.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
    // Loaded only for these commands: no React or Ink.
    const { runCommand } = await import("./cli/commands/run.js");
    return runCommand({ ...args, command: args.command }, {
      serverUrl: chosen.url, configDir: dir, configuredServer, homeServer,
      stdin: process.stdin, stdout: process.stdout, stderr: process.stderr,
    });
  }

  let local: LocalServer | null = null;
  let serverUrl: string;
  if (args.command === "local") {
    try {
      const { startLocalServer } = await import("./cli/local-server.js");
      local = await startLocalServer({ configDir: dir, say: (line) => process.stdout.write(`${line}\n`) });
    } catch (error) {
      process.stderr.write(`niotebook: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    serverUrl = local.url;
  } else {
    const chosen = chooseServerUrl({ flag: args.server, env: process.env.NIOTEBOOK_SERVER, config: configuredServer });
    if (chosen.problem) {
      process.stderr.write(`niotebook: ${chosen.problem}\n`);
      return 2;
    }
    serverUrl = chosen.url;
  }

  try {
    // A stored session's first requests start now, while the TUI's code loads.
    const { ApiClient, FIRST_TUI_REQUESTS } = await import("./api-client.js");
    const { SessionStore } = await import("./config/session-store.js");
    const api = new ApiClient({ baseUrl: serverUrl, session: new SessionStore(dir, serverUrl, configuredServer, homeServer) });
    api.prefetch(FIRST_TUI_REQUESTS);
    // Loaded only now, so --help and --version answer without loading React and Ink.
    const { runTui } = await import("./app/run-tui.js");
    await runTui({ serverUrl, configDir: dir, configuredServer, homeServer, api });
  } finally {
    await local?.stop();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`niotebook: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
