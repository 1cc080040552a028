// `niotebook login --username U --ssh-key PATH` (tui.md, "The command line"): ask for a
// challenge, check that it names the server we talk to (a hostile server could relay another
// server's challenge), sign it with the key file or the ssh-agent, log in.
import type { ApiClient } from "../../api-client.js";
import { challengeIsForServer } from "../../../api/ssh-challenge.js";
import { signWithKeyPath } from "../../ssh/sign.js";
import { EXIT, reportFailure, type CliIo } from "./io.js";

export interface SshLoginOptions {
  username: string;
  keyPath: string;
  json?: boolean;
  /** Defaults to SSH_AUTH_SOCK. */
  agentSocket?: string;
}

export async function sshLoginCommand(api: ApiClient, options: SshLoginOptions, io: CliIo): Promise<number> {
  const username = options.username.replace(/^@/, "");
  if (username === "") {
    io.err("niotebook login: --username is required with --ssh-key\n");
    return EXIT.usage;
  }
  try {
    const { challenge } = await api.sshChallenge(username);
    if (!challengeIsForServer(challenge, api.baseUrl)) {
      io.err(`niotebook login: the server's challenge is not for ${api.baseUrl}; refusing to sign it (is this the server you meant, or is NIOTEBOOK_PUBLIC_URL wrong there?)\n`);
      return EXIT.failed;
    }
    const signed = await signWithKeyPath(options.keyPath, challenge, options.agentSocket ? { agentSocket: options.agentSocket } : {});
    const { user } = await api.sshLogin({ username, challenge, signature: signed.signature });
    io.out(options.json ? `${JSON.stringify({ user })}\n` : `Logged in as @${user.username}${signed.via === "agent" ? " (signed by ssh-agent)" : ""}\n`);
    return EXIT.done;
  } catch (error) {
    return reportFailure(io, error);
  }
}
