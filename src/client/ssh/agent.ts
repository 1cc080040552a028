// The few ssh-agent requests `niotebook login --ssh-key` needs (draft-miller-ssh-agent):
// list the held keys, and sign data with one of them, over the agent's unix socket.
import { createConnection } from "node:net";
import { SshReader, SshWireError, SshWriter } from "../../api/ssh-wire.js";

const SSH_AGENT_FAILURE = 5;
const SSH2_AGENTC_REQUEST_IDENTITIES = 11;
const SSH2_AGENT_IDENTITIES_ANSWER = 12;
const SSH2_AGENTC_SIGN_REQUEST = 13;
const SSH2_AGENT_SIGN_RESPONSE = 14;
export const SSH_AGENT_RSA_SHA2_256 = 0x02;
export const SSH_AGENT_RSA_SHA2_512 = 0x04;

// An agent may ask its user to confirm a signature (ssh-add -c), so allow time for that.
const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_REPLY_BYTES = 256 * 1024;

/** The agent is unreachable, refused, or answered nonsense; the message is for the user. */
export class SshAgentError extends Error {
  override readonly name = "SshAgentError";
}

export interface AgentIdentity {
  publicKey: Buffer;
  comment: string;
}

/** One request, one reply: [type, body]. */
async function request(socketPath: string, message: Buffer, timeoutMs: number): Promise<[number, SshReader]> {
  const framed = new SshWriter().string(message).toBuffer();
  return await new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (err: Error | null, value?: [number, SshReader]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => finish(new SshAgentError("the ssh-agent did not answer in time")), timeoutMs);
    sock.on("connect", () => sock.write(framed));
    sock.on("error", (err: NodeJS.ErrnoException) => finish(new SshAgentError(`cannot reach the ssh-agent at ${socketPath} (${err.code ?? err.message})`)));
    sock.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 4) return;
      const all = Buffer.concat(chunks);
      const length = all.readUInt32BE(0);
      if (length === 0 || length > MAX_REPLY_BYTES) return finish(new SshAgentError("the ssh-agent's reply is malformed"));
      if (all.length < 4 + length) return;
      if (all.length > 4 + length) return finish(new SshAgentError("the ssh-agent sent more than one reply"));
      const reader = new SshReader(all.subarray(4));
      finish(null, [reader.byte(), reader]);
    });
    sock.on("end", () => finish(new SshAgentError("the ssh-agent closed the connection without answering")));
  });
}

export async function agentIdentities(socketPath: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<AgentIdentity[]> {
  const [type, r] = await request(socketPath, Buffer.from([SSH2_AGENTC_REQUEST_IDENTITIES]), timeoutMs);
  if (type !== SSH2_AGENT_IDENTITIES_ANSWER) throw new SshAgentError("the ssh-agent refused to list its keys");
  try {
    const n = r.uint32();
    const out: AgentIdentity[] = [];
    for (let i = 0; i < n; i++) out.push({ publicKey: r.string(), comment: r.string().toString("utf8") });
    r.end();
    return out;
  } catch (err) {
    if (err instanceof SshWireError) throw new SshAgentError("the ssh-agent's key list is malformed");
    throw err;
  }
}

/**
 * Asks the agent to sign `data` with the key whose blob is `publicKey`; `flags` selects the
 * RSA hash (SSH_AGENT_RSA_SHA2_512). Returns the SSH signature encoding (string type,
 * string blob), unchecked: the caller knows which type it asked for.
 */
export async function agentSign(socketPath: string, publicKey: Uint8Array, data: Uint8Array, flags: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
  const message = new SshWriter().byte(SSH2_AGENTC_SIGN_REQUEST).string(publicKey).string(data).uint32(flags).toBuffer();
  const [type, r] = await request(socketPath, message, timeoutMs);
  if (type === SSH_AGENT_FAILURE) {
    const held = await agentIdentities(socketPath, timeoutMs).catch(() => null);
    const has = held?.some((k) => k.publicKey.equals(Buffer.from(publicKey)));
    throw new SshAgentError(has === false ? "the ssh-agent does not hold this key (add it with ssh-add)" : "the ssh-agent refused to sign");
  }
  if (type !== SSH2_AGENT_SIGN_RESPONSE) throw new SshAgentError(`the ssh-agent answered with message ${type}`);
  try {
    const signature = r.string();
    r.end();
    return signature;
  } catch (err) {
    if (err instanceof SshWireError) throw new SshAgentError("the ssh-agent's signature is malformed");
    throw err;
  }
}
