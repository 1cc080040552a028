// The armored SSHSIG `niotebook login --ssh-key PATH` sends: the same bytes as
// `ssh-keygen -Y sign -n niotebook-login -f PATH` (hash sha512, RSA as rsa-sha2-512).
// An unencrypted key file signs here with node:crypto; an encrypted or absent one is
// signed for by the ssh-agent at SSH_AUTH_SOCK, with the public key from PATH.pub or PATH.
import { createHash, sign as cryptoSign } from "node:crypto";
import { readFile } from "node:fs/promises";
import { LOGIN_NAMESPACE, SshReader, SshWireError, SshWriter, armorSshSig, blobKeyType, padTo, sshsigBlob, sshsigSignedData } from "../../api/ssh-wire.js";
import { SSH_AGENT_RSA_SHA2_512, agentSign } from "./agent.js";
import { SshKeyFileError, isClientKeyType, parseKeyFile, parsePublicKeyText, type ClientKeyType, type UsablePrivateKey } from "./private-key.js";

const HASH = "sha512";

export interface SignOptions {
  /** The agent's socket; defaults to SSH_AUTH_SOCK. */
  agentSocket?: string | undefined;
  namespace?: string;
}

export interface SignedChallenge {
  /** Armored SSHSIG, as ssh-keygen prints it. */
  signature: string;
  /** The public key blob inside it. */
  publicKey: Buffer;
  via: "key-file" | "agent";
}

/** Signs `message` (its exact bytes; a string as UTF-8) with the key at `keyPath`. */
export async function signWithKeyPath(keyPath: string, message: string | Uint8Array, options: SignOptions = {}): Promise<SignedChallenge> {
  const namespace = options.namespace ?? LOGIN_NAMESPACE;
  const bytes = typeof message === "string" ? Buffer.from(message, "utf8") : Buffer.from(message);
  const text = await readOptional(keyPath);
  let publicKey: Buffer | null = null;
  let kind: "absent" | "encrypted" | "public" = "absent";
  if (text !== null) {
    const contents = parseKeyFile(text);
    if (contents.kind === "private") return { signature: signWithPrivateKey(contents.key, bytes, namespace), publicKey: contents.key.publicKey, via: "key-file" };
    publicKey = contents.publicKey;
    kind = contents.kind;
  }
  // The public key an encrypted openssh-key-v1 file carries in clear; else PATH.pub (PATH
  // missing, or an encrypted PEM file); PATH itself when it is the public key line.
  if (publicKey === null && !keyPath.endsWith(".pub")) {
    const pubText = await readOptional(`${keyPath}.pub`);
    if (pubText !== null) publicKey = parsePublicKeyText(pubText);
  }
  if (publicKey === null) throw new SshKeyFileError(text === null ? `no key at ${keyPath} nor ${keyPath}.pub` : `${keyPath} is encrypted and ${keyPath}.pub is missing`);
  const socket = options.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (!socket) {
    const why = {
      absent: `there is no private key at ${keyPath}`,
      public: `${keyPath} is a public key`,
      encrypted: `${keyPath} is encrypted`,
    }[kind];
    throw new SshKeyFileError(`${why} and no ssh-agent is running (SSH_AUTH_SOCK is not set): load the key into one with ssh-add`);
  }
  return { signature: await signWithAgent(socket, publicKey, bytes, namespace), publicKey, via: "agent" };
}

export function signWithPrivateKey(key: UsablePrivateKey, message: Uint8Array, namespace: string = LOGIN_NAMESPACE): string {
  refuseWeakRsa(key.publicKey);
  const data = sshsigSignedData(namespace, HASH, createHash(HASH).update(message).digest());
  let sigType: string;
  let sigBlob: Buffer;
  switch (key.type) {
    case "ssh-ed25519":
      sigType = key.type;
      sigBlob = cryptoSign(null, data, key.privateKey);
      break;
    case "ecdsa-sha2-nistp256": {
      sigType = key.type;
      const rs = cryptoSign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" });
      sigBlob = new SshWriter().mpint(rs.subarray(0, 32)).mpint(rs.subarray(32)).toBuffer();
      break;
    }
    case "ssh-rsa": {
      sigType = "rsa-sha2-512";
      const bytes = Math.ceil((key.privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
      sigBlob = padTo(cryptoSign("sha512", data, key.privateKey), bytes);
      break;
    }
  }
  const signature = new SshWriter().string(sigType).string(sigBlob).toBuffer();
  return armorSshSig(sshsigBlob(key.publicKey, namespace, HASH, signature));
}

export async function signWithAgent(socketPath: string, publicKey: Buffer, message: Uint8Array, namespace: string = LOGIN_NAMESPACE): Promise<string> {
  let type: string;
  try {
    type = blobKeyType(publicKey);
  } catch {
    throw new SshKeyFileError("the public key is malformed");
  }
  if (!isClientKeyType(type)) throw new SshKeyFileError(`key type ${type} is not supported (use ed25519, ecdsa P-256 or rsa)`);
  refuseWeakRsa(publicKey);
  const data = sshsigSignedData(namespace, HASH, createHash(HASH).update(message).digest());
  const signature = await agentSign(socketPath, publicKey, data, type === "ssh-rsa" ? SSH_AGENT_RSA_SHA2_512 : 0);
  checkAgentSignature(type, signature);
  return armorSshSig(sshsigBlob(publicKey, namespace, HASH, signature));
}

// The server refuses RSA under 2,048 bits with a bare 401; say why before asking it.
function refuseWeakRsa(publicKey: Buffer): void {
  let bits: number;
  try {
    const r = new SshReader(publicKey);
    if (r.text() !== "ssh-rsa") return;
    r.mpint(); // e
    const n = r.mpint();
    bits = n.length === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
  } catch {
    throw new SshKeyFileError("the public key is malformed");
  }
  if (bits < 2048) throw new SshKeyFileError(`this RSA key has ${bits} bits; the server accepts RSA keys of at least 2048 bits`);
}

// An old agent may ignore the RSA flag and answer ssh-rsa (SHA-1), which the server refuses:
// say so here rather than as a bare 401.
function checkAgentSignature(keyType: ClientKeyType, signature: Buffer): void {
  const expected = keyType === "ssh-rsa" ? "rsa-sha2-512" : keyType;
  let got: string;
  try {
    const r = new SshReader(signature);
    got = r.text();
    r.string();
    r.end();
  } catch (err) {
    if (err instanceof SshWireError) throw new SshKeyFileError("the ssh-agent's signature is malformed");
    throw err;
  }
  if (got !== expected) throw new SshKeyFileError(`the ssh-agent signed with ${got}, not ${expected} (it may be too old for SHA-2 RSA signatures)`);
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new SshKeyFileError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
