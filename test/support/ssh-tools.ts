// Real OpenSSH tools for the SSH-key tests: keys made by ssh-keygen, signatures by
// `ssh-keygen -Y sign`, an ssh-agent of our own on a socket in a temporary folder.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SSH_KEYGEN = "/usr/bin/ssh-keygen";

export type KeySpec = "ed25519" | "ecdsa256" | "ecdsa384" | "rsa1024" | "rsa2048" | "rsa3072" | "dsa";

const KEYGEN_ARGS: Record<KeySpec, string[]> = {
  ed25519: ["-t", "ed25519"],
  ecdsa256: ["-t", "ecdsa", "-b", "256"],
  ecdsa384: ["-t", "ecdsa", "-b", "384"],
  rsa1024: ["-t", "rsa", "-b", "1024"],
  rsa2048: ["-t", "rsa", "-b", "2048"],
  rsa3072: ["-t", "rsa", "-b", "3072"],
  dsa: ["-t", "dsa"],
};

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Generates a key with ssh-keygen at dir/name (and dir/name.pub); returns the private key's path. */
export function generateKey(dir: string, name: string, spec: KeySpec, passphrase = ""): string {
  const path = join(dir, name);
  execFileSync(SSH_KEYGEN, ["-q", ...KEYGEN_ARGS[spec], "-N", passphrase, "-C", `${name}@test`, "-f", path], { stdio: "pipe" });
  return path;
}

export interface SignOptions {
  namespace?: string;
  hashalg?: "sha256" | "sha512";
  env?: NodeJS.ProcessEnv;
}

/** `ssh-keygen -Y sign` over exactly `message` on stdin; `keyFile` may be a .pub (then the agent signs). */
export function sshKeygenSign(keyFile: string, message: string | Uint8Array, opts: SignOptions = {}): string {
  const args = ["-Y", "sign", "-n", opts.namespace ?? "niotebook-login", "-f", keyFile];
  if (opts.hashalg) args.push("-O", `hashalg=${opts.hashalg}`);
  return execFileSync(SSH_KEYGEN, args, { input: message, stdio: ["pipe", "pipe", "pipe"], env: opts.env ?? process.env }).toString("utf8");
}

/** `ssh-keygen -l -f` output split: bits, fingerprint, comment, type. */
export function sshKeygenFingerprint(pubFile: string): { bits: number; fingerprint: string; type: string } {
  const out = execFileSync(SSH_KEYGEN, ["-l", "-E", "sha256", "-f", pubFile]).toString("utf8").trim();
  const m = /^(\d+) (SHA256:\S+) .* \((\S+)\)$/.exec(out);
  if (!m) throw new Error(`unexpected ssh-keygen -l output: ${out}`);
  return { bits: Number(m[1]), fingerprint: m[2]!, type: m[3]! };
}

/** `ssh-keygen -Y verify` with an allowed_signers file naming one principal; true on success. */
export function sshKeygenVerify(dir: string, publicKeyLine: string, signature: string, message: string | Uint8Array, namespace = "niotebook-login"): boolean {
  const signers = join(dir, `allowed_signers_${process.hrtime.bigint()}`);
  const sigFile = `${signers}.sig`;
  const [type, b64] = publicKeyLine.trim().split(/\s+/);
  writeFileSync(signers, `someone@test ${type} ${b64}\n`);
  writeFileSync(sigFile, signature);
  try {
    execFileSync(SSH_KEYGEN, ["-Y", "verify", "-f", signers, "-I", "someone@test", "-n", namespace, "-s", sigFile], { input: message, stdio: ["pipe", "pipe", "pipe"] });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(signers, { force: true });
    rmSync(sigFile, { force: true });
  }
}

export interface Agent {
  socket: string;
  env: NodeJS.ProcessEnv;
  add(keyPath: string): void;
  stop(): Promise<void>;
}

/** An ssh-agent in the foreground (-D) on a socket of our own; stop() kills that one process. */
export async function startAgent(dir: string): Promise<Agent> {
  const socket = join(dir, "agent.sock");
  const child: ChildProcess = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
  const deadline = Date.now() + 5000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("ssh-agent did not start");
    await new Promise((r) => setTimeout(r, 20));
  }
  const env = { ...process.env, SSH_AUTH_SOCK: socket };
  return {
    socket,
    env,
    add(keyPath: string) {
      execFileSync("ssh-add", ["-q", keyPath], { env, stdio: "pipe" });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
