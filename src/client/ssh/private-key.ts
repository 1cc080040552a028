// Reading the user's SSH key file for `niotebook login --ssh-key PATH`: OpenSSH's own
// private key format (openssh-key-v1, PROTOCOL.key), the older PEM files node:crypto reads
// itself, and public key lines. An encrypted private key is not decrypted here: the
// agent signs for it (we never ask for a passphrase).
import { createPrivateKey, type KeyObject } from "node:crypto";
import { SshReader, SshWireError, SshWriter, padTo, strictBase64 } from "../../api/ssh-wire.js";

export type ClientKeyType = "ssh-ed25519" | "ecdsa-sha2-nistp256" | "ssh-rsa";
const CLIENT_KEY_TYPES: readonly string[] = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"];

/** A key file the client cannot use; the message is for the user. */
export class SshKeyFileError extends Error {
  override readonly name = "SshKeyFileError";
}

export interface UsablePrivateKey {
  type: ClientKeyType;
  /** The public key blob (what the account holds and the SSHSIG embeds). */
  publicKey: Buffer;
  privateKey: KeyObject;
}

/** What a key file gives: a key to sign with, or only the public half (the agent must sign). */
export type KeyFileContents =
  | { kind: "private"; key: UsablePrivateKey }
  | { kind: "encrypted"; publicKey: Buffer | null }
  | { kind: "public"; publicKey: Buffer };

const OPENSSH_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const OPENSSH_END = "-----END OPENSSH PRIVATE KEY-----";
const AUTH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");

export function isClientKeyType(type: string): type is ClientKeyType {
  return CLIENT_KEY_TYPES.includes(type);
}

/** Reads any of the three kinds of file from its text. */
export function parseKeyFile(text: string): KeyFileContents {
  const trimmed = text.trim();
  if (trimmed.startsWith(OPENSSH_BEGIN)) return parseOpenSshPrivateKey(trimmed);
  if (trimmed.startsWith("-----BEGIN ")) return parsePemPrivateKey(trimmed);
  return { kind: "public", publicKey: parsePublicKeyText(trimmed) };
}

/** The blob of a `type base64 [comment]` line (first line of the text). */
export function parsePublicKeyText(text: string): Buffer {
  const m = /^(\S+)\s+([A-Za-z0-9+/=]+)(?:\s|$)/.exec(text.trim());
  if (!m) throw new SshKeyFileError("not an SSH key file (neither a private key nor a `type base64 comment` public key line)");
  let blob: Buffer;
  try {
    blob = strictBase64(m[2]!);
    const type = new SshReader(blob).text();
    if (type !== m[1]) throw new SshKeyFileError(`public key line says ${m[1]} but holds a ${type} key`);
  } catch (err) {
    if (err instanceof SshKeyFileError) throw err;
    throw new SshKeyFileError("the public key line's data is not valid");
  }
  return blob;
}

function parseOpenSshPrivateKey(text: string): KeyFileContents {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[lines.length - 1] !== OPENSSH_END) throw new SshKeyFileError("the private key file is cut short");
  try {
    const r = new SshReader(strictBase64(lines.slice(1, -1).join("")));
    if (!r.bytes(AUTH_MAGIC.length).equals(AUTH_MAGIC)) throw new SshKeyFileError("not an openssh-key-v1 private key");
    const cipher = r.text();
    const kdf = r.text();
    r.string(); // kdf options
    const count = r.uint32();
    if (count !== 1) throw new SshKeyFileError(`the file holds ${count} keys; one is expected`);
    const publicKey = r.string();
    const privateSection = r.string();
    r.end();
    if (cipher !== "none" || kdf !== "none") return { kind: "encrypted", publicKey };
    return { kind: "private", key: parsePrivateSection(privateSection, publicKey) };
  } catch (err) {
    if (err instanceof SshKeyFileError) throw err;
    if (err instanceof SshWireError) throw new SshKeyFileError(`the private key file is damaged (${err.message})`);
    throw err;
  }
}

// PROTOCOL.key: check ints, then per key its type, fields, comment; then padding 1, 2, 3…
function parsePrivateSection(section: Buffer, publicKey: Buffer): UsablePrivateKey {
  const r = new SshReader(section);
  if (r.uint32() !== r.uint32()) throw new SshKeyFileError("the private key's check bytes differ (damaged, or a wrong decryption)");
  const type = r.text();
  let key: UsablePrivateKey;
  switch (type) {
    case "ssh-ed25519": {
      const pk = r.string();
      const sk = r.string(); // seed ‖ public key
      if (pk.length !== 32 || sk.length !== 64 || !sk.subarray(32).equals(pk)) throw new SshKeyFileError("the ed25519 private key is malformed");
      key = {
        type,
        publicKey: new SshWriter().string(type).string(pk).toBuffer(),
        privateKey: importJwk({ kty: "OKP", crv: "Ed25519", x: b64u(pk), d: b64u(sk.subarray(0, 32)) }),
      };
      break;
    }
    case "ecdsa-sha2-nistp256": {
      const curve = r.text();
      const q = r.string();
      const d = r.mpint();
      if (curve !== "nistp256" || q.length !== 65 || q[0] !== 4) throw new SshKeyFileError("the ECDSA private key is malformed");
      key = {
        type,
        publicKey: new SshWriter().string(type).string(curve).string(q).toBuffer(),
        privateKey: importJwk({ kty: "EC", crv: "P-256", x: b64u(q.subarray(1, 33)), y: b64u(q.subarray(33)), d: b64u(padTo(d, 32)) }),
      };
      break;
    }
    case "ssh-rsa": {
      const n = r.mpint();
      const e = r.mpint();
      const d = r.mpint();
      const iqmp = r.mpint();
      const p = r.mpint();
      const q = r.mpint();
      // The file omits d mod (p − 1) and d mod (q − 1); JWK wants them.
      const big = (b: Buffer) => BigInt(`0x${b.length ? b.toString("hex") : "0"}`);
      const unbig = (v: bigint) => Buffer.from(v.toString(16).padStart(2 * Math.ceil(v.toString(16).length / 2), "0"), "hex");
      const dp = unbig(big(d) % (big(p) - 1n));
      const dq = unbig(big(d) % (big(q) - 1n));
      key = {
        type,
        publicKey: new SshWriter().string(type).mpint(e).mpint(n).toBuffer(),
        privateKey: importJwk({ kty: "RSA", n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(p), q: b64u(q), dp: b64u(dp), dq: b64u(dq), qi: b64u(iqmp) }),
      };
      break;
    }
    default:
      throw new SshKeyFileError(`key type ${type} is not supported (use ed25519, ecdsa P-256 or rsa)`);
  }
  r.string(); // comment
  const padding = r.bytes(r.remaining);
  if (!padding.every((b, i) => b === ((i + 1) & 0xff))) throw new SshKeyFileError("the private key's padding is wrong (damaged file)");
  if (!key.publicKey.equals(publicKey)) throw new SshKeyFileError("the private key does not match the public key stored with it");
  return key;
}

function parsePemPrivateKey(text: string): KeyFileContents {
  if (/Proc-Type:\s*4,ENCRYPTED/.test(text) || text.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----")) return { kind: "encrypted", publicKey: null };
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: "pem" });
  } catch {
    throw new SshKeyFileError("not a private key node:crypto can read");
  }
  const jwk = privateKey.export({ format: "jwk" });
  const buf = (v: string | undefined) => Buffer.from(v ?? "", "base64url");
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    return { kind: "private", key: { type: "ssh-ed25519", privateKey, publicKey: new SshWriter().string("ssh-ed25519").string(buf(jwk.x)).toBuffer() } };
  }
  if (jwk.kty === "EC" && jwk.crv === "P-256") {
    const q = Buffer.concat([Buffer.from([4]), padTo(buf(jwk.x), 32), padTo(buf(jwk.y), 32)]);
    return { kind: "private", key: { type: "ecdsa-sha2-nistp256", privateKey, publicKey: new SshWriter().string("ecdsa-sha2-nistp256").string("nistp256").string(q).toBuffer() } };
  }
  if (jwk.kty === "RSA") {
    return { kind: "private", key: { type: "ssh-rsa", privateKey, publicKey: new SshWriter().string("ssh-rsa").mpint(buf(jwk.e)).mpint(buf(jwk.n)).toBuffer() } };
  }
  throw new SshKeyFileError("key type not supported (use ed25519, ecdsa P-256 or rsa)");
}

function b64u(b: Buffer): string {
  return b.toString("base64url");
}

function importJwk(jwk: Record<string, string>): KeyObject {
  try {
    return createPrivateKey({ key: jwk, format: "jwk" });
  } catch {
    throw new SshKeyFileError("the private key's numbers do not form a valid key");
  }
}
