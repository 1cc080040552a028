// The client's SSHSIG for `niotebook login --ssh-key`: from an unencrypted key file with
// node:crypto, or through an ssh-agent; each checked by the server's verifier AND by
// `ssh-keygen -Y verify`. And the challenge text the client checks before signing.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalOrigin, challengeIsForServer, formatChallenge, parseChallenge } from "../../src/api/ssh-challenge.js";
import { SshAgentError, agentIdentities } from "../../src/client/ssh/agent.js";
import { SshKeyFileError, parseKeyFile } from "../../src/client/ssh/private-key.js";
import { signWithKeyPath } from "../../src/client/ssh/sign.js";
import { verifySshSig } from "../../src/server/auth/ssh/sshsig.js";
import { SSH_KEYGEN, generateKey, sshKeygenSign, sshKeygenVerify, startAgent, tempDir, type Agent, type KeySpec } from "../support/ssh-tools.js";

const CHALLENGE = formatChallenge("https://niotebook.example", randomBytes(16).toString("base64url"));
const ACCEPTED: KeySpec[] = ["ed25519", "ecdsa256", "rsa2048", "rsa3072"];
const PASSPHRASE = "correct horse battery staple";

let dir: string;

function pubLine(path: string): string {
  return readFileSync(path, "utf8").trim();
}

function blobOf(line: string): Buffer {
  return Buffer.from(line.split(/\s+/)[1]!, "base64");
}

/** Both verifiers accept `signature` for CHALLENGE by the key in `pubFile`, and refuse another message. */
function expectVerifies(signature: string, pubFile: string): void {
  const line = pubLine(pubFile);
  const v = verifySshSig(signature, Buffer.from(CHALLENGE, "utf8"));
  expect(v.publicKey.equals(blobOf(line))).toBe(true);
  expect(v.hashAlgorithm).toBe("sha512");
  expect(v.signatureAlgorithm).toBe(line.startsWith("ssh-rsa ") ? "rsa-sha2-512" : line.split(" ")[0]);
  expect(sshKeygenVerify(dir, line, signature, CHALLENGE)).toBe(true);
  expect(sshKeygenVerify(dir, line, signature, `${CHALLENGE}\n`)).toBe(false);
  expect(sshKeygenVerify(dir, line, signature, CHALLENGE, "file")).toBe(false);
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

beforeAll(() => {
  dir = tempDir("niotebook-ssh-client-");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("signing with an unencrypted key file", () => {
  it.each(ACCEPTED)("%s (openssh-key-v1): both verifiers accept it", async (spec) => {
    const path = generateKey(dir, `file-${spec}`, spec);
    const signed = await signWithKeyPath(path, CHALLENGE, { agentSocket: join(dir, "no-agent-here") });
    expect(signed.via).toBe("key-file");
    expect(signed.publicKey.equals(blobOf(pubLine(`${path}.pub`)))).toBe(true);
    expectVerifies(signed.signature, `${path}.pub`);
    // Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic: the very bytes ssh-keygen makes.
    if (spec !== "ecdsa256") expect(signed.signature).toBe(sshKeygenSign(path, CHALLENGE));
  });

  it.each(["ecdsa256", "rsa2048"] as const)("%s in the older PEM format", async (spec) => {
    const path = generateKey(dir, `pem-${spec}`, spec);
    execFileSync(SSH_KEYGEN, ["-p", "-q", "-N", "", "-m", "PEM", "-f", path]);
    expect(readFileSync(path, "utf8")).toMatch(/^-----BEGIN (RSA|EC) PRIVATE KEY-----/);
    const signed = await signWithKeyPath(path, CHALLENGE, { agentSocket: join(dir, "no-agent-here") });
    expect(signed.via).toBe("key-file");
    expectVerifies(signed.signature, `${path}.pub`);
  });

  it("refuses a damaged or unsupported key file with a clear error", async () => {
    const path = generateKey(dir, "damaged", "ed25519");
    const text = readFileSync(path, "utf8");
    expect(() => parseKeyFile(text.replace("-----END OPENSSH PRIVATE KEY-----", ""))).toThrow(SshKeyFileError);
    const lines = text.trim().split("\n");
    lines[2] = lines[2]!.replace(/^./, (c) => (c === "A" ? "B" : "A")); // a byte of the key material
    expect(() => parseKeyFile(lines.join("\n"))).toThrow(SshKeyFileError);
    expect(() => parseKeyFile("hello")).toThrow(SshKeyFileError);
    const dsa = generateKey(dir, "dsa", "dsa");
    await expect(signWithKeyPath(dsa, CHALLENGE)).rejects.toThrow(/not supported/);
    await expect(signWithKeyPath(join(dir, "nothing"), CHALLENGE, { agentSocket: "" })).rejects.toThrow(/no key at/);
    const rsa1024 = generateKey(dir, "rsa1024", "rsa1024");
    await expect(signWithKeyPath(rsa1024, CHALLENGE)).rejects.toThrow(/1024 bits; the server accepts RSA keys of at least 2048/);
    await expect(signWithKeyPath(`${rsa1024}.pub`, CHALLENGE, { agentSocket: "/nonexistent" })).rejects.toThrow(/at least 2048/);
  });
});

describe("signing through an ssh-agent", () => {
  let agent: Agent;
  let agentDir: string;

  beforeAll(async () => {
    agentDir = join(dir, "agent");
    mkdirSync(agentDir);
    agent = await startAgent(agentDir);
  });

  afterAll(async () => {
    await agent?.stop();
  });

  /** A key loaded into the agent, then its file encrypted (ssh-add cannot prompt in a test). */
  function agentKey(spec: KeySpec, name = `agent-${spec}`): string {
    const path = generateKey(agentDir, name, spec);
    agent.add(path);
    execFileSync(SSH_KEYGEN, ["-p", "-q", "-P", "", "-N", PASSPHRASE, "-f", path]);
    expect(parseKeyFile(readFileSync(path, "utf8")).kind).toBe("encrypted");
    return path;
  }

  it.each(["ed25519", "ecdsa256", "rsa2048"] as const)("%s: encrypted file, absent file, the .pub path, and no .pub beside it", async (spec) => {
    const path = agentKey(spec);
    const pub = `${path}.pub`;
    const opts = { agentSocket: agent.socket };

    const encrypted = await signWithKeyPath(path, CHALLENGE, opts);
    expect(encrypted.via).toBe("agent");
    expectVerifies(encrypted.signature, pub);
    if (spec !== "ecdsa256") expect(encrypted.signature).toBe(sshKeygenSign(pub, CHALLENGE, { env: agent.env }));

    const viaPub = await signWithKeyPath(pub, CHALLENGE, opts);
    expect(viaPub.via).toBe("agent");
    expectVerifies(viaPub.signature, pub);

    // The encrypted openssh-key-v1 file carries its public key in clear: no .pub needed.
    const alone = join(agentDir, `alone-${spec}`);
    copyFileSync(path, alone);
    const fromEncrypted = await signWithKeyPath(alone, CHALLENGE, opts);
    expect(fromEncrypted.via).toBe("agent");
    expectVerifies(fromEncrypted.signature, pub);

    // No private key file at all: PATH.pub names the key.
    const gone = join(agentDir, `gone-${spec}`);
    copyFileSync(pub, `${gone}.pub`);
    const absent = await signWithKeyPath(gone, CHALLENGE, opts);
    expect(absent.via).toBe("agent");
    expectVerifies(absent.signature, pub);
  });

  it("SSH_AUTH_SOCK is the default socket", async () => {
    const path = agentKey("ed25519", "agent-default-socket");
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = agent.socket;
    try {
      const signed = await signWithKeyPath(path, CHALLENGE);
      expect(signed.via).toBe("agent");
      expectVerifies(signed.signature, `${path}.pub`);
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });

  it("says what is wrong: no agent, an agent without the key, an unreachable socket", async () => {
    const path = generateKey(agentDir, "not-in-agent", "ed25519", PASSPHRASE);
    const held = await agentIdentities(agent.socket);
    expect(held.some((k) => k.publicKey.equals(blobOf(pubLine(`${path}.pub`))))).toBe(false);
    const notHeld = await rejection(signWithKeyPath(path, CHALLENGE, { agentSocket: agent.socket }));
    expect(notHeld).toBeInstanceOf(SshAgentError);
    expect(notHeld.message).toMatch(/does not hold this key/);
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      const noAgent = await rejection(signWithKeyPath(path, CHALLENGE));
      expect(noAgent).toBeInstanceOf(SshKeyFileError);
      expect(noAgent.message).toMatch(/is encrypted and no ssh-agent.*ssh-add/);
      await expect(signWithKeyPath(`${path}.pub`, CHALLENGE)).rejects.toThrow(/is a public key and no ssh-agent/);
      rmSync(path);
      await expect(signWithKeyPath(path, CHALLENGE)).rejects.toThrow(/no private key at .* and no ssh-agent/);
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
    const unreachable = await rejection(signWithKeyPath(path, CHALLENGE, { agentSocket: join(agentDir, "no-such.sock") }));
    expect(unreachable).toBeInstanceOf(SshAgentError);
    expect(unreachable.message).toMatch(/cannot reach/);
  });

  it("a PEM key encrypted with a passphrase goes to the agent with PATH.pub", async () => {
    const path = generateKey(agentDir, "pem-enc", "rsa2048");
    agent.add(path);
    execFileSync(SSH_KEYGEN, ["-p", "-q", "-P", "", "-N", PASSPHRASE, "-m", "PEM", "-f", path]);
    expect(readFileSync(path, "utf8")).toMatch(/ENCRYPTED/);
    const signed = await signWithKeyPath(path, CHALLENGE, { agentSocket: agent.socket });
    expect(signed.via).toBe("agent");
    expectVerifies(signed.signature, `${path}.pub`);
    rmSync(`${path}.pub`);
    await expect(signWithKeyPath(path, CHALLENGE, { agentSocket: agent.socket })).rejects.toThrow(/\.pub is missing/);
  });
});

describe("the challenge text", () => {
  it("round-trips, and its origin compares with the server URL the client uses", () => {
    for (const origin of ["https://niotebook.example", "http://127.0.0.1:8080", "https://[::1]:8443", "http://localhost:3000"]) {
      const nonce = randomBytes(16).toString("base64url");
      const text = formatChallenge(origin, nonce);
      expect(text).toBe(`niotebook-login ${origin} ${nonce}`);
      expect(parseChallenge(text)).toEqual({ origin, nonce });
      expect(challengeIsForServer(text, `${origin}/api/v1/`)).toBe(true);
    }
    const text = formatChallenge("https://niotebook.example", randomBytes(32).toString("base64url"));
    expect(challengeIsForServer(text, "https://NIOTEBOOK.example:443")).toBe(true); // default port, case
    expect(challengeIsForServer(text, "http://niotebook.example")).toBe(false);
    expect(challengeIsForServer(text, "https://niotebook.example:8443")).toBe(false);
    expect(challengeIsForServer(text, "https://evil.example")).toBe(false);
    expect(challengeIsForServer(text, "https://niotebook.example.evil.example")).toBe(false);
    expect(challengeIsForServer(text, "not a url")).toBe(false);
    expect(canonicalOrigin("https://Host.Example:443/x?y")).toBe("https://host.example");
    expect(canonicalOrigin("ftp://host")).toBeNull();
  });

  it("refuses anything that is not exactly a challenge", () => {
    const nonce = randomBytes(16).toString("base64url");
    const bad = [
      `niotebook-login https://a.example ${nonce}\n`,
      `niotebook-login  https://a.example ${nonce}`,
      `niotebook-login https://a.example ${nonce} extra`,
      `niotebook-logon https://a.example ${nonce}`,
      `niotebook-login https://a.example/ ${nonce}`,
      `niotebook-login https://a.example:443 ${nonce}`,
      `niotebook-login https://user@a.example ${nonce}`,
      `niotebook-login HTTPS://a.example ${nonce}`,
      `niotebook-login https://a.example ${nonce.slice(0, 21)}`, // 126 bits
      `niotebook-login https://a.example ${nonce.slice(0, 20)}+/`,
      `niotebook-login https://a.example ${nonce}=`,
    ];
    for (const text of bad) {
      expect(parseChallenge(text)).toBeNull();
      expect(challengeIsForServer(text, "https://a.example")).toBe(false);
    }
    expect(() => formatChallenge("https://a.example/", nonce)).toThrow();
    expect(() => formatChallenge("https://a.example", "short")).toThrow();
  });

  it("is signed as its exact UTF-8 bytes: a verifier given the text with a newline refuses", async () => {
    const path = generateKey(dir, "challenge-bytes", "ed25519");
    const signed = await signWithKeyPath(path, CHALLENGE, { agentSocket: "" });
    expect(verifySshSig(signed.signature, Buffer.from(CHALLENGE)).keyType).toBe("ssh-ed25519");
    expect(() => verifySshSig(signed.signature, Buffer.from(`${CHALLENGE}\n`))).toThrow();
  });
});
