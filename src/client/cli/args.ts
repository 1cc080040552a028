// Command-line arguments of `niotebook`.
import { isHttpUrl } from "../config/server-url.js";

export type CliCommand = "tui" | "local" | "help" | "version";

export interface CliArgs {
  command: CliCommand;
  server?: string;
  error?: string;
}

export const HELP_TEXT = `niotebook — a social network for people who live in the terminal

Usage:
  niotebook [--server URL]    open the client (default server: config.yaml, else http://localhost:8080)
  niotebook local             start (or reuse) a local server and open the client against it
  niotebook --version         print the version
  niotebook --help            print this help

Environment:
  NIOTEBOOK_SERVER            server URL (after --server, before config.yaml)
  XDG_CONFIG_HOME             config folder parent (default ~/.config); files in niotebook/
  NO_COLOR                    plain text, no colours

In the client press ? for the keys of the current view (F1 while typing).
`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { command: "tui" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h" || arg === "help") return { command: "help" };
    if (arg === "--version" || arg === "-v" || arg === "-V") return { command: "version" };
    if (arg === "--server" || arg === "-s") {
      const value = argv[++i];
      if (!value) return { command: "help", error: "--server needs a URL" };
      args.server = value;
    } else if (arg.startsWith("--server=")) {
      args.server = arg.slice("--server=".length);
    } else if (arg === "local") {
      args.command = "local";
    } else {
      return { command: "help", error: `Unknown argument: ${arg}` };
    }
  }
  if (args.server !== undefined && !isHttpUrl(args.server)) {
    return { command: "help", error: `--server expects an http(s) URL, got ${args.server}` };
  }
  return args;
}
