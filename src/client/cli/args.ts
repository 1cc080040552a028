// Command-line arguments of `niotebook`: node:util parseArgs over a table of subcommands.
// A subcommand is one entry of SUBCOMMANDS: its options, whether it takes positionals, its
// usage line, and how its parsed values become CliArgs; `niotebook <name> --help` prints
// its own usage. Global options (--server, --help, --version) are read anywhere on the line.
import { parseArgs as parseArgv, type ParseArgsOptionsConfig } from "node:util";
import { isHttpUrl } from "../config/server-url.js";

/** The scriptable commands (src/client/cli/commands/): they print and exit, no full screen. */
export const SCRIPT_COMMANDS = ["login", "logout", "whoami", "post", "timeline", "notifications", "follow", "unfollow", "search", "keys"] as const;
export type ScriptCommand = (typeof SCRIPT_COMMANDS)[number];
export type CliCommand = "tui" | "local" | "help" | "version" | ScriptCommand;

export const isScriptCommand = (command: CliCommand): command is ScriptCommand => (SCRIPT_COMMANDS as readonly string[]).includes(command);

export interface CliArgs {
  command: CliCommand;
  server?: string;
  /** With command "help": the subcommand whose usage to print (also with an error in it). */
  topic?: string;
  /** Bad usage: print it with the usage and exit 2. */
  error?: string;
  /** One JSON object per line instead of text for people. */
  json?: boolean;
  /** login */
  email?: string;
  /** login with an SSH key (with username): the private key's path (or its .pub, then the ssh-agent signs). */
  sshKey?: string;
  /** post: the text (absent: read from stdin). */
  text?: string;
  replyTo?: string;
  /** timeline */
  feed?: "home" | "global";
  limit?: number;
  /** notifications */
  markRead?: boolean;
  /** follow, unfollow, and login --username: the username, without @. */
  username?: string;
  /** search */
  query?: string;
  users?: boolean;
  /** keys */
  keysAction?: "add" | "list" | "remove";
  /** keys add: the public key's path; keys remove: an id or fingerprint. */
  keysArgument?: string;
}

export const MAX_LIMIT = 100;
const JSON_OPTION = { json: { type: "boolean" } } as const satisfies ParseArgsOptionsConfig;
const JSON_DETAILS = "  --json        one JSON object per line, each exactly as the API returns it\n";
const LIMIT_DETAILS = `  --limit N     at most N (1–${MAX_LIMIT})\n`;
const EXIT_DETAILS = "\nExit codes: 0 done, 1 failed (the reason on stderr), 2 bad usage, 3 not logged in or session expired.\n";

/** A bad-usage answer for a subcommand: its usage is printed with the error. */
const usageError = (topic: string, error: string): CliArgs => ({ command: "help", topic, error });

/** --limit's value: a whole number 1–100, else the error to print. */
function readLimit(topic: string, value: string | boolean | undefined): { limit?: number } | CliArgs {
  if (value === undefined) return {};
  if (typeof value !== "string" || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    return usageError(topic, `--limit expects a whole number from 1 to ${MAX_LIMIT}, got ${String(value)}`);
  }
  return { limit: Number(value) };
}
const isError = (value: object): value is CliArgs => "command" in value;

const USERNAME = /^@?([A-Za-z0-9_]{1,32})$/;

function followArgs(command: "follow" | "unfollow", values: Values, positionals: string[]): CliArgs {
  if (positionals.length !== 1) return usageError(command, `${command} takes one @name`);
  const match = USERNAME.exec(positionals[0]!);
  if (!match) return usageError(command, `not a username: ${positionals[0]}`);
  return { command, username: match[1]!.toLowerCase(), json: values.json === true };
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
  login: {
    usage: "niotebook login [--email E | --username U --ssh-key PATH]",
    summary: "log in with a password (from the terminal, or the first line of stdin) or an SSH key",
    options: { email: { type: "string", short: "e" }, username: { type: "string", short: "u" }, "ssh-key": { type: "string", short: "i" }, ...JSON_OPTION },
    positionals: false,
    details:
      "  --email E       the account's e-mail (asked for when stdin is a terminal)\n" +
      "  --username U    with --ssh-key: the account to log in to\n" +
      "  --ssh-key PATH  sign the server's challenge with this private key (a key file without a\n" +
      "                  passphrase, or PATH.pub with the key loaded in the ssh-agent at SSH_AUTH_SOCK)\n" +
      "  --json          one JSON object per line, each exactly as the API returns it\n" +
      "\nWith --email the password is read without echo from the terminal, or as the first line of\n" +
      "stdin when stdin is not a terminal (then --email is required: nothing is asked).\n" + EXIT_DETAILS,
    toArgs: (values) => {
      const { email, username, "ssh-key": sshKey } = values;
      if (typeof sshKey === "string") {
        if (typeof email === "string") return usageError("login", "--email and --ssh-key cannot go together");
        if (typeof username !== "string") return usageError("login", "--ssh-key needs --username");
        const match = USERNAME.exec(username);
        if (!match) return usageError("login", `not a username: ${username}`);
        if (sshKey.trim() === "") return usageError("login", "--ssh-key needs the path of a key");
        return { command: "login", username: match[1]!.toLowerCase(), sshKey, json: values.json === true };
      }
      if (typeof username === "string") return usageError("login", "--username goes with --ssh-key (a password log-in takes --email)");
      return { command: "login", ...(typeof email === "string" ? { email } : {}), json: values.json === true };
    },
  },
  logout: {
    usage: "niotebook logout",
    summary: "log out of the server (revokes the session there)",
    options: {},
    positionals: false,
    details: EXIT_DETAILS,
    toArgs: () => ({ command: "logout" }),
  },
  whoami: {
    usage: "niotebook whoami",
    summary: "who you are on the server, and every stored session",
    options: { ...JSON_OPTION },
    positionals: false,
    details: JSON_DETAILS + "\nThe sessions list marks the current server's with *.\n" + EXIT_DETAILS,
    toArgs: (values) => ({ command: "whoami", json: values.json === true }),
  },
  post: {
    usage: "niotebook post [TEXT] [--reply-to ID]",
    summary: "publish a post (TEXT, else all of stdin)",
    options: { "reply-to": { type: "string" }, ...JSON_OPTION },
    positionals: true,
    details: "  --reply-to ID answer the post ID\n" + JSON_DETAILS + EXIT_DETAILS,
    toArgs: (values, positionals) => {
      if (positionals.length > 1) return usageError("post", "post takes one TEXT: put it in quotes");
      const replyTo = values["reply-to"];
      if (typeof replyTo === "string" && replyTo.trim() === "") return usageError("post", "--reply-to needs a post ID");
      return {
        command: "post",
        ...(positionals[0] !== undefined ? { text: positionals[0] } : {}),
        ...(typeof replyTo === "string" ? { replyTo: replyTo.trim() } : {}),
        json: values.json === true,
      };
    },
  },
  timeline: {
    usage: "niotebook timeline [--home|--global] [--limit N]",
    summary: "print the newest posts (home by default)",
    options: { home: { type: "boolean" }, global: { type: "boolean" }, limit: { type: "string", short: "n" }, ...JSON_OPTION },
    positionals: false,
    details: "  --home        you and the people you follow (the default)\n  --global      everyone\n" + LIMIT_DETAILS + JSON_DETAILS + EXIT_DETAILS,
    toArgs: (values) => {
      if (values.home && values.global) return usageError("timeline", "--home and --global cannot go together");
      const limit = readLimit("timeline", values.limit);
      if (isError(limit)) return limit;
      return { command: "timeline", feed: values.global ? "global" : "home", ...limit, json: values.json === true };
    },
  },
  notifications: {
    usage: "niotebook notifications [--mark-read] [--limit N]",
    summary: "print your notifications, newest first",
    options: { "mark-read": { type: "boolean" }, limit: { type: "string", short: "n" }, ...JSON_OPTION },
    positionals: false,
    details: "  --mark-read   then mark the ones printed (and older) as read\n" + LIMIT_DETAILS + JSON_DETAILS + EXIT_DETAILS,
    toArgs: (values) => {
      const limit = readLimit("notifications", values.limit);
      if (isError(limit)) return limit;
      return { command: "notifications", markRead: values["mark-read"] === true, ...limit, json: values.json === true };
    },
  },
  follow: {
    usage: "niotebook follow @name",
    summary: "follow someone",
    options: { ...JSON_OPTION },
    positionals: true,
    details: JSON_DETAILS + EXIT_DETAILS,
    toArgs: (values, positionals) => followArgs("follow", values, positionals),
  },
  unfollow: {
    usage: "niotebook unfollow @name",
    summary: "stop following someone",
    options: { ...JSON_OPTION },
    positionals: true,
    details: JSON_DETAILS + EXIT_DETAILS,
    toArgs: (values, positionals) => followArgs("unfollow", values, positionals),
  },
  search: {
    usage: "niotebook search QUERY [--users] [--limit N]",
    summary: "search posts (or people with --users)",
    options: { users: { type: "boolean" }, limit: { type: "string", short: "n" }, ...JSON_OPTION },
    positionals: true,
    details:
      "  --users       search people by username and display name\n" + LIMIT_DETAILS + JSON_DETAILS +
      '\nQUERY: words that must all appear, "a phrase", -word, from:username, #tag.\n' + EXIT_DETAILS,
    toArgs: (values, positionals) => {
      const query = positionals.join(" ").trim();
      if (query === "") return usageError("search", "search needs a QUERY");
      const limit = readLimit("search", values.limit);
      if (isError(limit)) return limit;
      return { command: "search", query, users: values.users === true, ...limit, json: values.json === true };
    },
  },
  keys: {
    usage: "niotebook keys add PATH | list | remove ID",
    summary: "the SSH keys you can log in with",
    options: { ...JSON_OPTION },
    positionals: true,
    details:
      "  add PATH      add a public key (PATH, or PATH.pub when PATH is the private key)\n" +
      "  list          your keys: id, type, fingerprint, comment\n" +
      "  remove ID     remove a key by its id or its SHA256: fingerprint\n" + JSON_DETAILS + EXIT_DETAILS,
    toArgs: (values, positionals) => {
      const [action, argument, ...extra] = positionals;
      const json = values.json === true;
      if (action === "list") {
        if (argument !== undefined) return usageError("keys", `keys list takes no argument (got ${argument})`);
        return { command: "keys", keysAction: "list", json };
      }
      if (action === "add" || action === "remove") {
        if (argument === undefined || argument.trim() === "") {
          return usageError("keys", action === "add" ? "keys add needs the path of a public key" : "keys remove needs a key's id or fingerprint");
        }
        if (extra.length > 0) return usageError("keys", `keys ${action} takes one ${action === "add" ? "PATH" : "ID"}`);
        return { command: "keys", keysAction: action, keysArgument: argument, json };
      }
      return usageError("keys", action === undefined ? "keys needs add, list or remove" : `unknown keys command: ${action}`);
    },
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
  .map(([, sub]) => (sub.usage.length < 28 ? `  ${sub.usage.padEnd(28)}${sub.summary}` : `  ${sub.usage}\n${" ".repeat(30)}${sub.summary}`))
  .join("\n")}
  niotebook serve [ARGS]      run the server (single executable only)
  niotebook --version         print the version
  niotebook --help            print this help
  niotebook COMMAND --help    print a command's options

Every command takes --server URL. The scriptable ones print text for people, or with --json
one JSON object per line. Exit codes: 0 done, 1 failed (the reason on stderr), 2 bad usage,
3 not logged in or session expired.

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
    const topic = named ? { topic: named.value } : {};
    if (token.kind === "option" && !known.has(token.name)) return { command: "help", ...topic, error: `Unknown argument: ${token.rawName}` };
    if (token.kind === "positional" && !sub.positionals) return { command: "help", ...topic, error: `Unknown argument: ${token.value}` };
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
    return { command: "help", ...(named ? { topic: named.value } : {}), error: error instanceof Error ? error.message : String(error) };
  }
  const args = sub.toArgs(parsed.values, parsed.positionals);
  if (args.error) return args;
  const server = parsed.values.server;
  if (typeof server === "string") {
    if (!isHttpUrl(server)) return { command: "help", error: `--server expects an http(s) URL, got ${server}` };
    args.server = server;
  }
  return args;
}
