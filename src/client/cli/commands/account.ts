// login, logout, whoami: the session of the chosen server (auth.json for config.yaml's
// server, sessions/<host>_<port>.json for the others — see config/session-store.ts).
import { ApiError } from "../../api-errors.js";
import { listSessions, readTokenClaims } from "../../config/session-store.js";
import { formatSessions, formatUser } from "../format.js";
import { firstLine, promptLine, readAll } from "../../keys/terminal-input.js";
import { CliFailure, notLoggedIn, printJson, printText, requireSession, type CommandContext } from "./context.js";

export async function login(ctx: CommandContext, options: { email?: string | undefined }): Promise<void> {
  let email = options.email;
  let password: string;
  if (ctx.stdin.isTTY) {
    email ??= (await promptLine(ctx.stdin, ctx.stderr, "Email: ", true)).trim();
    password = await promptLine(ctx.stdin, ctx.stderr, "Password: ", false);
  } else {
    // Not a terminal: a script. Nothing is asked; the password is stdin's first line.
    if (email === undefined) throw new CliFailure("login needs --email when stdin is not a terminal", 2);
    password = firstLine(await readAll(ctx.stdin));
  }
  if (email.trim() === "") throw new CliFailure("login needs an e-mail address", 2);
  if (password === "") throw new CliFailure(ctx.stdin.isTTY ? "no password given" : "no password on stdin (its first line is the password)", 2);
  const { user } = await ctx.api.login({ email: email.trim(), password });
  if (ctx.json) printJson(ctx, [user]);
  else printText(ctx, `Logged in as @${user.username} at ${ctx.serverUrl}`);
}

export async function logout(ctx: CommandContext): Promise<void> {
  const token = ctx.api.accessToken;
  if (token === null) throw notLoggedIn(ctx);
  const name = readTokenClaims(token).username;
  try {
    await ctx.api.logout();
  } catch (error) {
    // The session is gone from this machine whatever happened; only the server may not know.
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliFailure(`Logged out here, but the server was not told (${reason}); the session ends when it expires`, 1);
  }
  printText(ctx, `Logged out${name ? ` of @${name}` : ""} at ${ctx.serverUrl}`);
}

export async function whoami(ctx: CommandContext): Promise<void> {
  const sessionList = () => formatSessions(listSessions(ctx.configDir, ctx.configuredServer), ctx.serverUrl);
  if (!ctx.api.isLoggedIn) {
    if (!ctx.json) printText(ctx, sessionList());
    throw notLoggedIn(ctx);
  }
  let user;
  try {
    requireSession(ctx);
    user = await ctx.api.me();
  } catch (error) {
    if (error instanceof ApiError && error.kind === "session_expired" && !ctx.json) printText(ctx, sessionList());
    throw error;
  }
  if (ctx.json) {
    printJson(ctx, [user]);
    return;
  }
  printText(ctx, `${formatUser(user)}\nat ${ctx.serverUrl}\n\n${sessionList()}`);
}
