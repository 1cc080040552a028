// Command-line arguments of `niotebook`: node:util parseArgs over a table of subcommands.
// A subcommand is one entry of SUBCOMMANDS: its options, whether it takes positionals, its
// usage line, and how its parsed values become CliArgs; `niotebook <name> --help` prints
// its own usage. Global options (--server, --help, --version) are read anywhere on the line.
import { parseArgs as parseArgv, type ParseArgsOptionsConfig } from "node:util";
import { isHttpUrl } from "../config/server-url.js";

export type CliCommand = "tui" | "local" | "help" | "version";

export interface CliArgs {
  command: CliCommand;
  server?: string;
  /** With command "help": the subcommand whose usage to print. */
  topic?: string;
  /** Bad usage: print it with the usage and exit 2. */
  error?: string;
}

type Values = Record<string, string | boolean | undefined>;

interface Subcommand {
  /** One line for the usage list, e.g. "niotebook local". */
  usage: string;
  summary: string;
  /** Options of this subcommand only (the global ones come on top). */
  options: ParseArgsOptionsConfig;
  positionals: boolean;
  /** Help printed by `niotebook <name> --help` below the usage line (options, notes). */
  details?: string;
  toArgs(values: Values, positionals: string[]): CliArgs;
}

const GLOBAL_OPTIONS = {
  server: { type: "string", short: "s" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  V: { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

/** `niotebook` with no subcommand opens the client. */
const DEFAULT_COMMAND = "tui";

const SUBCOMMANDS: Record<string, Subcommand> = {
  tui: {
    usage: "niotebook [--server URL]",
    summary: "open the client (default server: config.yaml, else http://localhost:8080)",
    options: {},
    positionals: false,
    toArgs: () => ({ command: "tui" }),
  },
  local: {
    usage: "niotebook local",
    summary: "start (or reuse) a local server and open the client against it",
    options: {},
    positionals: false,
    details: "The server's data folder is NIOTEBOOK_DATA_DIR, else $XDG_DATA_HOME/niotebook.\n",
    toArgs: () => ({ command: "local" }),
  },
  help: {
    usage: "niotebook help [COMMAND]",
    summary: "print this help (or a command's)",
    options: {},
    positionals: true,
    toArgs: (_values, positionals) => (positionals[0] ? { command: "help", topic: positionals[0] } : { command: "help" }),
  },
};

export const HELP_TEXT = `niotebook — a social network for people who live in the terminal

Usage:
${Object.entries(SUBCOMMANDS)
  .filter(([name]) => name !== "help")
  .map(([, sub]) => `  ${sub.usage.padEnd(28)}${sub.summary}`)
  .join("\n")}
  niotebook --version         print the version
  niotebook --help            print this help

Environment:
  NIOTEBOOK_SERVER            server URL (after --server, before config.yaml)
  XDG_CONFIG_HOME             config folder parent (default ~/.config); files in niotebook/
  NO_COLOR                    plain text, no colours

In the client press ? for the keys of the current view (F1 while typing).
`;

/** The usage of one subcommand, or the whole help for an unknown or absent topic. */
export function helpText(topic?: string): string {
  const sub = topic === undefined ? undefined : SUBCOMMANDS[topic];
  if (!sub || topic === DEFAULT_COMMAND) return HELP_TEXT;
  return `Usage: ${sub.usage}\n  ${sub.summary}\n${sub.details ? `\n${sub.details}` : ""}`;
}

const knownOptions = (options: ParseArgsOptionsConfig): Set<string> =>
  new Set(Object.entries(options).flatMap(([name, option]) => (option.short ? [name, option.short] : [name])));

export function parseArgs(argv: readonly string[]): CliArgs {
  // First pass, lenient: which subcommand (the first positional), knowing only the global
  // options so that `--server URL local` does not take URL for the subcommand.
  const first = parseArgv({ args: [...argv], options: GLOBAL_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const named = first.tokens.find((token) => token.kind === "positional");
  const sub = named ? SUBCOMMANDS[named.value] : SUBCOMMANDS[DEFAULT_COMMAND];
  if (!sub || named?.value === DEFAULT_COMMAND) return { command: "help", error: `Unknown argument: ${named!.value}` };
  const rest = named ? argv.filter((_, index) => index !== named.index) : [...argv];
  const options = { ...GLOBAL_OPTIONS, ...sub.options };

  // Unknown options and stray words are named as they were typed.
  const known = knownOptions(options);
  const second = parseArgv({ args: rest, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of second.tokens) {
    if (token.kind === "option" && !known.has(token.name)) return { command: "help", error: `Unknown argument: ${token.rawName}` };
    if (token.kind === "positional" && !sub.positionals) return { command: "help", error: `Unknown argument: ${token.value}` };
  }
  const values = second.values as Values;
  if (values.help) return named ? { command: "help", topic: named.value } : { command: "help" };
  if (values.version || values.V) return { command: "version" };

  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgv({ args: rest, options, strict: true, allowPositionals: sub.positionals }) as typeof parsed;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && second.tokens.some((t) => t.kind === "option" && t.name === "server")) {
      return { command: "help", error: "--server needs a URL" };
    }
    return { command: "help", error: error instanceof Error ? error.message : String(error) };
  }
  const args = sub.toArgs(parsed.values, parsed.positionals);
  const server = parsed.values.server;
  if (typeof server === "string") {
    if (!isHttpUrl(server)) return { command: "help", error: `--server expects an http(s) URL, got ${server}` };
    args.server = server;
  }
  return args;
}
