// OpenSSH public keys: the `type base64 comment` line a user adds to the account, and the
// wire blob inside it (and inside every SSHSIG). Three types only (social.md, "SSH keys"):
// ssh-ed25519, ecdsa-sha2-nistp256 and ssh-rsa of at least 2,048 bits.
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { SshReader, SshWireError, strictBase64 } from "../../../api/ssh-wire.js";
import { isStorableString } from "../../../api/text.js";

export type SshKeyType = "ssh-ed25519" | "ecdsa-sha2-nistp256" | "ssh-rsa";
export const SSH_KEY_TYPES: readonly SshKeyType[] = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"];

export const MIN_RSA_BITS = 2048;
// OpenSSH's own ceiling (SSH_RSA_MAXIMUM_MODULUS_SIZE): bounds the work one verify costs.
export const MAX_RSA_BITS = 16384;
// The longest line accepted: a 16384-bit RSA key is about 2.8 kB of base64.
const MAX_LINE_CHARS = 8192;
const MAX_COMMENT_CHARS = 255;

export type SshKeyErrorReason =
  | "malformed" // not `type base64 [comment]`, bad base64, bad wire data, trailing bytes
  | "unsupported_type" // dsa, ecdsa-384/521, certificates, security keys, unknown names
  | "type_mismatch" // the line's type is not the blob's
  | "weak_key" // RSA under 2,048 bits (or a degenerate exponent)
  | "invalid_key"; // not a point on the curve, key material node:crypto refuses

/** A public key refused; the route answers 400 validation_error with `field`. */
export class SshKeyError extends Error {
  override readonly name = "SshKeyError";
  readonly field = "public_key";
  readonly reason: SshKeyErrorReason;
  constructor(reason: SshKeyErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface SshPublicKey {
  type: SshKeyType;
  /** The wire blob: what SSHSIG embeds and what the account stores and compares. */
  blob: Buffer;
  /** `SHA256:` and unpadded base64 of SHA-256(blob), as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** Key size as `ssh-keygen -l` prints it: 256 for ed25519 and P-256, the modulus bits for RSA. */
  bits: number;
  key: KeyObject;
}

export interface SshPublicKeyLine extends SshPublicKey {
  /** The text after the key, trimmed; null when there is none. */
  comment: string | null;
}

export function sshFingerprint(blob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Parses an authorized_keys-style line without options: `type base64 [comment]`. */
export function parsePublicKeyLine(line: string): SshPublicKeyLine {
  if (line.length > MAX_LINE_CHARS) throw new SshKeyError("malformed", "public key line is too long");
  const trimmed = line.trim();
  // A key line is one line: a pasted second line or a control character means a mistake;
  // the comment is stored, so it must be storable text too (no lone surrogate).
  if (/[\p{Cc}--\t]/v.test(trimmed) || !isStorableString(trimmed)) {
    throw new SshKeyError("malformed", "public key must be one line of text");
  }
  const match = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(trimmed);
  if (!match) throw new SshKeyError("malformed", "expected `type base64 [comment]`");
  const outerType = match[1]!;
  if (!(SSH_KEY_TYPES as readonly string[]).includes(outerType)) {
    throw new SshKeyError("unsupported_type", `key type ${JSON.stringify(outerType.slice(0, 60))} is not accepted (use ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa)`);
  }
  let blob: Buffer;
  try {
    blob = strictBase64(match[2]!);
  } catch {
    throw new SshKeyError("malformed", "key data is not valid base64");
  }
  const parsed = parsePublicKeyBlob(blob);
  if (parsed.type !== outerType) throw new SshKeyError("type_mismatch", `line says ${outerType} but the key is ${parsed.type}`);
  const comment = match[3]?.trim() ?? "";
  if ([...comment].length > MAX_COMMENT_CHARS) throw new SshKeyError("malformed", `comment longer than ${MAX_COMMENT_CHARS} characters`);
  return { ...parsed, comment: comment === "" ? null : comment };
}

export interface ParseBlobOptions {
  /**
   * Check that an Ed25519 key decodes to a curve point (default true). It costs ~0.1 ms of
   * BigInt arithmetic; the SSHSIG verifier turns it off, since OpenSSL's verify refuses such
   * a key anyway and a stored key was checked when it was added.
   */
  checkEd25519Point?: boolean;
}

/** Parses and validates a public key wire blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4). */
export function parsePublicKeyBlob(blob: Uint8Array, options: ParseBlobOptions = {}): SshPublicKey {
  const buf = Buffer.from(blob);
  try {
    const r = new SshReader(buf);
    const type = r.text();
    switch (type) {
      case "ssh-ed25519": {
        const pk = r.string();
        r.end();
        if (pk.length !== 32) throw new SshKeyError("malformed", "ed25519 key must be 32 bytes");
        // node:crypto imports any 32 bytes; a non-point would only fail every verify later.
        if (options.checkEd25519Point !== false && !isEd25519Point(pk)) throw new SshKeyError("invalid_key", "not a point on the Ed25519 curve");
        const key = importKey({ kty: "OKP", crv: "Ed25519", x: pk.toString("base64url") });
        return { type, blob: buf, fingerprint: sshFingerprint(buf), bits: 256, key };
      }
      case "ecdsa-sha2-nistp256": {
        const curve = r.text();
        const q = r.string();
        r.end();
        if (curve !== "nistp256") throw new SshKeyError("type_mismatch", `curve ${JSON.stringify(curve.slice(0, 60))} does not match ${type}`);
        // Uncompressed points only, as OpenSSH (sshbuf_get_ec) accepts.
        if (q.length !== 65 || q[0] !== 0x04) throw new SshKeyError("malformed", "P-256 point must be 65 bytes, uncompressed");
        const x = q.subarray(1, 33);
        const y = q.subarray(33);
        if (!isOnP256(x, y)) throw new SshKeyError("invalid_key", "point is not on the P-256 curve");
        const key = importKey({ kty: "EC", crv: "P-256", x: x.toString("base64url"), y: y.toString("base64url") });
        return { type, blob: buf, fingerprint: sshFingerprint(buf), bits: 256, key };
      }
      case "ssh-rsa": {
        const e = r.mpint();
        const n = r.mpint();
        r.end();
        const bits = bitLength(n);
        if (bits < MIN_RSA_BITS) throw new SshKeyError("weak_key", `RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
        if (bits > MAX_RSA_BITS) throw new SshKeyError("invalid_key", `RSA key has ${bits} bits; at most ${MAX_RSA_BITS} are accepted`);
        // e must be odd and > 1 (e = 1 would make every "signature" the padded hash itself).
        if (e.length === 0 || (e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0] === 1)) {
          throw new SshKeyError("weak_key", "RSA public exponent must be odd and greater than 1");
        }
        // Every real key uses 65537; a huge e would only make an unauthenticated verify slow
        // (a 16384-bit modulus with a 64-bit e costs ~16 ms, with a 32-bit e ~6 ms).
        if (e.length > 4) throw new SshKeyError("invalid_key", "RSA public exponent is too large");
        if ((n[n.length - 1]! & 1) === 0) throw new SshKeyError("invalid_key", "RSA modulus is even");
        const key = importKey({ kty: "RSA", n: n.toString("base64url"), e: e.toString("base64url") });
        return { type, blob: buf, fingerprint: sshFingerprint(buf), bits, key };
      }
      default:
        throw new SshKeyError("unsupported_type", `key type ${JSON.stringify(type.slice(0, 60))} is not accepted`);
    }
  } catch (err) {
    if (err instanceof SshKeyError) throw err;
    if (err instanceof SshWireError) throw new SshKeyError("malformed", `malformed key data: ${err.message}`);
    throw err;
  }
}

function importKey(jwk: Record<string, string>): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: "jwk" });
  } catch {
    throw new SshKeyError("invalid_key", "key material is not a valid key");
  }
}

function bitLength(magnitude: Buffer): number {
  if (magnitude.length === 0) return 0;
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0]!));
}

// P-256 (FIPS 186-4 D.1.2.3): y² = x³ − 3x + b over GF(p).
const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function isOnP256(xBytes: Buffer, yBytes: Buffer): boolean {
  const x = BigInt(`0x${xBytes.toString("hex")}`);
  const y = BigInt(`0x${yBytes.toString("hex")}`);
  if (x >= P256_P || y >= P256_P) return false;
  const p = P256_P;
  const lhs = (y * y) % p;
  const rhs = (((x * x) % p) * x - 3n * x + P256_B) % p;
  return lhs === (rhs + p) % p;
}

// Ed25519 point decoding (RFC 8032 §5.1.3): y < p, and x² = u / v with u = y² − 1 and
// v = d·y² + 1 has a root, with x = 0 only when the sign bit is clear. u / v is a square iff
// u·v is (Euler's criterion; v is never 0 as d is not a square): one exponentiation.
const ED_P = (1n << 255n) - 19n;
const ED_D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

function isEd25519Point(encoded: Buffer): boolean {
  const le = Buffer.from(encoded).reverse();
  const sign = (le[0]! & 0x80) !== 0;
  le[0]! &= 0x7f;
  const y = BigInt(`0x${le.toString("hex")}`);
  if (y >= ED_P) return false;
  const y2 = (y * y) % ED_P;
  const u = (y2 - 1n + ED_P) % ED_P;
  const v = (ED_D * y2 + 1n) % ED_P;
  if (u === 0n) return !sign;
  return modPow((u * v) % ED_P, (ED_P - 1n) / 2n, ED_P) === 1n;
}
