// Runs one scriptable command and turns how it ended into the spec's exit code, the reason
// on stderr. Shares the TUI's API client, session files and refresh logic.
import { ApiClient } from "../../api-client.js";
import { ApiError } from "../../api-errors.js";
import { SessionStore } from "../../config/session-store.js";
import type { CliArgs, ScriptCommand } from "../args.js";
import { InputCancelled } from "../../keys/terminal-input.js";
import { login, logout, whoami } from "./account.js";
import { CliFailure, type CommandContext } from "./context.js";
import { keys } from "./keys.js";
import { post, timeline } from "./posts.js";
import { follow, notifications, search } from "./social.js";
import { sshLogin } from "./ssh-login.js";

/** A command's context before the run makes its API client; fetch and the clock for tests. */
export type RunOptions = Omit<CommandContext, "api" | "json" | "now"> & {
  fetch?: typeof fetch;
  now?: () => Date;
};

export async function runCommand(args: CliArgs & { command: ScriptCommand }, options: RunOptions): Promise<number> {
  const session = new SessionStore(options.configDir, options.serverUrl, options.configuredServer, options.homeServer);
  const ctx: CommandContext = {
    api: new ApiClient({ baseUrl: options.serverUrl, session, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    serverUrl: options.serverUrl,
    configDir: options.configDir,
    configuredServer: options.configuredServer,
    homeServer: options.homeServer,
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: options.stderr,
    json: args.json === true,
    now: options.now ?? (() => new Date()),
  };
  try {
    await dispatch(args, ctx);
    return 0;
  } catch (error) {
    const [code, message] = failure(error);
    options.stderr.write(`niotebook: ${message}\n`);
    return code;
  }
}

function dispatch(args: CliArgs & { command: ScriptCommand }, ctx: CommandContext): Promise<void> {
  switch (args.command) {
    case "login":
      return args.sshKey !== undefined ? sshLogin(ctx, { username: args.username ?? "", keyPath: args.sshKey }) : login(ctx, { email: args.email });
    case "logout":
      return logout(ctx);
    case "whoami":
      return whoami(ctx);
    case "post":
      return post(ctx, { text: args.text, replyTo: args.replyTo });
    case "timeline":
      return timeline(ctx, { feed: args.feed, limit: args.limit });
    case "notifications":
      return notifications(ctx, { markRead: args.markRead, limit: args.limit });
    case "follow":
    case "unfollow":
      return follow(ctx, { username: args.username ?? "", follow: args.command === "follow" });
    case "search":
      return search(ctx, { query: args.query ?? "", users: args.users, limit: args.limit });
    case "keys":
      return keys(ctx, { action: args.keysAction ?? "list", argument: args.keysArgument });
  }
}

/** The exit code and the line for stderr. */
export function failure(error: unknown): [number, string] {
  if (error instanceof CliFailure) return [error.exitCode, error.message];
  if (error instanceof InputCancelled) return [1, "cancelled"];
  if (error instanceof ApiError) {
    // A refused log-in (bad password) or a session that could not be renewed: log in (again).
    if (error.kind === "session_expired" || error.status === 401) return [3, error.message];
    return [1, error.message];
  }
  return [1, error instanceof Error ? error.message : String(error)];
}
