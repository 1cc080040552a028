// Verification of an armored SSHSIG (OpenSSH's PROTOCOL.sshsig, what `ssh-keygen -Y sign`
// makes) with node:crypto alone. Stricter than OpenSSH where the format leaves room: the
// reserved field must be empty, the hash sha256 or sha512, RSA never SHA-1.
// Every failure is an SshSigError whose reason is for the log; the route answers them all
// with the same 401, and it alone compares the returned key with the account's keys.
import { createHash, verify as cryptoVerify } from "node:crypto";
import {
  LOGIN_NAMESPACE,
  SSHSIG_MAGIC,
  SSHSIG_VERSION,
  SshReader,
  SshWireError,
  dearmorSshSig,
  padTo,
  sshsigSignedData,
} from "../../../api/ssh-wire.js";
import { SshKeyError, parsePublicKeyBlob, type SshKeyType, type SshPublicKey } from "./public-key.js";

export type SshSigErrorReason =
  | "armor" // not BEGIN/END SSH SIGNATURE around canonical base64
  | "malformed" // wire data: lengths, trailing bytes, non-minimal mpints
  | "magic"
  | "version"
  | "key" // the embedded public key is malformed or of a type/size we refuse
  | "namespace"
  | "reserved"
  | "hash_algorithm"
  | "signature_algorithm" // ssh-rsa (SHA-1), or a signature type that is not the key's
  | "signature_encoding" // ECDSA r/s out of range, wrong lengths
  | "bad_signature"; // well formed, but the cryptography says no

export class SshSigError extends Error {
  override readonly name = "SshSigError";
  readonly reason: SshSigErrorReason;
  constructor(reason: SshSigErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export type SshSigHash = "sha256" | "sha512";

export interface VerifiedSshSig {
  /** The signer's public key blob: compare it byte for byte with the account's keys. */
  publicKey: Buffer;
  keyType: SshKeyType;
  fingerprint: string;
  hashAlgorithm: SshSigHash;
  /** The SSH signature algorithm: ssh-ed25519, ecdsa-sha2-nistp256, rsa-sha2-256 or rsa-sha2-512. */
  signatureAlgorithm: string;
}

// A 16384-bit RSA key and signature armor to about 5.6 kB; refuse far more before decoding.
export const MAX_ARMORED_CHARS = 16_384;

// The order of P-256's base point (FIPS 186-4 D.1.2.3): r and s must lie in [1, n − 1].
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * Verifies `armored` over `message` (the exact bytes signed) for `namespace`. Returns the
 * embedded key on success; throws SshSigError otherwise.
 */
export function verifySshSig(armored: string, message: Uint8Array, namespace: string = LOGIN_NAMESPACE): VerifiedSshSig {
  if (armored.length > MAX_ARMORED_CHARS) throw new SshSigError("armor", "signature text is too long");
  let blob: Buffer;
  try {
    blob = dearmorSshSig(armored);
  } catch (err) {
    throw new SshSigError("armor", "not an armored SSH signature", { cause: err });
  }
  try {
    return verifyBlob(blob, message, namespace);
  } catch (err) {
    if (err instanceof SshSigError) throw err;
    if (err instanceof SshWireError) throw new SshSigError("malformed", `malformed signature: ${err.message}`, { cause: err });
    throw err;
  }
}

function verifyBlob(blob: Buffer, message: Uint8Array, namespace: string): VerifiedSshSig {
  const r = new SshReader(blob);
  if (!r.bytes(SSHSIG_MAGIC.length).equals(SSHSIG_MAGIC)) throw new SshSigError("magic", "missing SSHSIG magic");
  const version = r.uint32();
  if (version !== SSHSIG_VERSION) throw new SshSigError("version", `unsupported SSHSIG version ${version}`);
  const publicKeyBlob = r.string();
  const signedNamespace = r.string();
  const reserved = r.string();
  const hashName = r.string();
  const signature = r.string();
  r.end();

  let key: SshPublicKey;
  try {
    key = parsePublicKeyBlob(publicKeyBlob, { checkEd25519Point: false });
  } catch (err) {
    if (err instanceof SshKeyError) throw new SshSigError("key", `embedded key refused (${err.reason}): ${err.message}`, { cause: err });
    throw err;
  }
  if (!signedNamespace.equals(Buffer.from(namespace, "utf8"))) throw new SshSigError("namespace", "signature is for another namespace");
  if (reserved.length !== 0) throw new SshSigError("reserved", "reserved field is not empty");
  const hashAlgorithm = hashName.toString("latin1");
  if (hashAlgorithm !== "sha256" && hashAlgorithm !== "sha512") {
    throw new SshSigError("hash_algorithm", "hash algorithm must be sha256 or sha512");
  }

  const sig = new SshReader(signature);
  const sigType = sig.text();
  const sigBlob = sig.string();
  sig.end();

  const digest = createHash(hashAlgorithm).update(message).digest();
  const signed = sshsigSignedData(namespace, hashAlgorithm, digest);
  const ok = checkSignature(key, sigType, sigBlob, signed);
  if (!ok) throw new SshSigError("bad_signature", "signature does not verify");
  return {
    publicKey: key.blob,
    keyType: key.type,
    fingerprint: key.fingerprint,
    hashAlgorithm,
    signatureAlgorithm: sigType,
  };
}

function checkSignature(key: SshPublicKey, sigType: string, sigBlob: Buffer, signed: Buffer): boolean {
  switch (key.type) {
    case "ssh-ed25519":
      if (sigType !== "ssh-ed25519") throw mismatch(sigType, key.type);
      if (sigBlob.length !== 64) throw new SshSigError("signature_encoding", "ed25519 signature must be 64 bytes");
      return cryptoVerify(null, signed, key.key, sigBlob);
    case "ecdsa-sha2-nistp256": {
      if (sigType !== "ecdsa-sha2-nistp256") throw mismatch(sigType, key.type);
      // RFC 5656 §3.1.2: the blob holds mpint r, mpint s (SshReader.mpint checks sign and
      // minimal encoding); each must be in [1, n − 1] before node:crypto sees them.
      const rs = new SshReader(sigBlob);
      const rBytes = rs.mpint();
      const sBytes = rs.mpint();
      rs.end();
      for (const v of [rBytes, sBytes]) {
        if (v.length === 0 || v.length > 32) throw new SshSigError("signature_encoding", "ECDSA r or s out of range");
        const n = BigInt(`0x${v.toString("hex")}`);
        if (n === 0n || n >= P256_N) throw new SshSigError("signature_encoding", "ECDSA r or s out of range");
      }
      const p1363 = Buffer.concat([padTo(rBytes, 32), padTo(sBytes, 32)]);
      return cryptoVerify("sha256", signed, { key: key.key, dsaEncoding: "ieee-p1363" }, p1363);
    }
    case "ssh-rsa": {
      if (sigType === "ssh-rsa") throw new SshSigError("signature_algorithm", "ssh-rsa (SHA-1) signatures are refused");
      if (sigType !== "rsa-sha2-256" && sigType !== "rsa-sha2-512") throw mismatch(sigType, key.type);
      // The signature is as long as the modulus; OpenSSH (ssh_rsa_verify) left-pads a
      // shorter one, since a signer may drop leading zero bytes. Longer is an error.
      const modulusBytes = Math.ceil(key.bits / 8);
      if (sigBlob.length === 0 || sigBlob.length > modulusBytes) {
        throw new SshSigError("signature_encoding", "RSA signature length does not match the key");
      }
      const hash = sigType === "rsa-sha2-256" ? "sha256" : "sha512";
      return cryptoVerify(hash, signed, key.key, padTo(sigBlob, modulusBytes));
    }
  }
}

function mismatch(sigType: string, keyType: string): SshSigError {
  return new SshSigError("signature_algorithm", `signature type ${JSON.stringify(sigType.slice(0, 64))} does not fit a ${keyType} key`);
}
