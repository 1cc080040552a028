// `niotebook login --username U --ssh-key PATH` (tui.md, "The command line"): ask for a
// challenge, check that it names the server we talk to (a hostile server could relay another
// server's challenge), sign it with the key file or the ssh-agent, log in.
import { challengeIsForServer } from "../../../api/ssh-challenge.js";
import { signWithKeyPath } from "../../ssh/sign.js";
import { CliFailure, printJson, printText, type CommandContext } from "./context.js";

export interface SshLoginOptions {
  username: string;
  keyPath: string;
  /** Defaults to SSH_AUTH_SOCK. */
  agentSocket?: string | undefined;
}

export async function sshLogin(ctx: CommandContext, options: SshLoginOptions): Promise<void> {
  const username = options.username.replace(/^@/, "");
  if (username === "") throw new CliFailure("--username is required with --ssh-key", 2);
  const { challenge } = await ctx.api.sshChallenge(username);
  if (!challengeIsForServer(challenge, ctx.api.baseUrl)) {
    throw new CliFailure(`the server's challenge is not for ${ctx.api.baseUrl}; refusing to sign it (is this the server you meant, or is NIOTEBOOK_PUBLIC_URL wrong there?)`, 1);
  }
  const signed = await signWithKeyPath(options.keyPath, challenge, options.agentSocket ? { agentSocket: options.agentSocket } : {});
  const { user } = await ctx.api.sshLogin({ username, challenge, signature: signed.signature });
  if (ctx.json) printJson(ctx, [user]);
  else printText(ctx, `Logged in as @${user.username} at ${ctx.serverUrl}${signed.via === "agent" ? " (signed by ssh-agent)" : ""}`);
}
