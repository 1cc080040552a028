// SSH public keys and SSHSIG verification against the real OpenSSH tools: keys from
// ssh-keygen, signatures from `ssh-keygen -Y sign` (from the key file and through an
// ssh-agent), and every way a signature can be wrong.
import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshReader, SshWriter, armorSshSig, dearmorSshSig, sshsigSignedData } from "../../src/api/ssh-wire.js";
import { SshKeyError, parsePublicKeyBlob, parsePublicKeyLine } from "../../src/server/auth/ssh/public-key.js";
import { SshSigError, verifySshSig, type SshSigErrorReason } from "../../src/server/auth/ssh/sshsig.js";
import { SSH_KEYGEN, generateKey, sshKeygenFingerprint, sshKeygenSign, startAgent, tempDir, type Agent, type KeySpec } from "../support/ssh-tools.js";

const CHALLENGE = "niotebook-login https://niotebook.example:8443 q3Lr0w1Jc2xV9bE6tYkZ4g-_aB";
const MESSAGE = Buffer.from(CHALLENGE, "utf8");

let dir: string;
const keys = new Map<KeySpec, string>();
const ACCEPTED: KeySpec[] = ["ed25519", "ecdsa256", "rsa2048", "rsa3072"];
const REFUSED: KeySpec[] = ["rsa1024", "dsa", "ecdsa384"];

function keyPath(spec: KeySpec): string {
  const p = keys.get(spec);
  if (!p) throw new Error(`no ${spec} key`);
  return p;
}

function expectSigError(fn: () => unknown, ...reasons: SshSigErrorReason[]): SshSigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SshSigError);
  const e = caught as SshSigError;
  expect(reasons).toContain(e.reason);
  return e;
}

function expectKeyError(line: string, reason: SshKeyError["reason"]): void {
  let caught: unknown;
  try {
    parsePublicKeyLine(line);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SshKeyError);
  expect((caught as SshKeyError).reason).toBe(reason);
  expect((caught as SshKeyError).field).toBe("public_key");
}

function blobOfLine(line: string): Buffer {
  return Buffer.from(line.trim().split(/\s+/)[1]!, "base64");
}

/** The fields of an SSHSIG blob, to rebuild it with one part changed. */
interface SigParts {
  version: number;
  publicKey: Buffer;
  namespace: Buffer;
  reserved: Buffer;
  hash: Buffer;
  signature: Buffer;
}

function splitSig(armored: string): SigParts {
  const r = new SshReader(dearmorSshSig(armored));
  r.bytes(6);
  const parts = { version: r.uint32(), publicKey: r.string(), namespace: r.string(), reserved: r.string(), hash: r.string(), signature: r.string() };
  r.end();
  return parts;
}

function joinSig(p: SigParts): string {
  return armorSshSig(
    new SshWriter().raw(Buffer.from("SSHSIG")).uint32(p.version).string(p.publicKey).string(p.namespace).string(p.reserved).string(p.hash).string(p.signature).toBuffer(),
  );
}

/** An SSHSIG made with node:crypto, for what ssh-keygen will not make (SHA-1, bad r/s). */
function craftSig(opts: {
  privateKey: KeyObject;
  publicKey: Buffer;
  sigType: string;
  message?: Uint8Array;
  hash?: "sha256" | "sha512";
  ecdsaRs?: (r: Buffer, s: Buffer) => [Buffer, Buffer] | Buffer;
}): string {
  const hash = opts.hash ?? "sha512";
  const data = sshsigSignedData("niotebook-login", hash, createHash(hash).update(opts.message ?? MESSAGE).digest());
  let sigBlob: Buffer;
  switch (opts.sigType) {
    case "ssh-ed25519":
      sigBlob = cryptoSign(null, data, opts.privateKey);
      break;
    case "ecdsa-sha2-nistp256": {
      const p1363 = cryptoSign("sha256", data, { key: opts.privateKey, dsaEncoding: "ieee-p1363" });
      const r = p1363.subarray(0, 32);
      const s = p1363.subarray(32);
      const out = opts.ecdsaRs ? opts.ecdsaRs(r, s) : [r, s];
      sigBlob = Array.isArray(out) ? new SshWriter().mpint(out[0]).mpint(out[1]).toBuffer() : out;
      break;
    }
    default: {
      const h = { "ssh-rsa": "sha1", "rsa-sha2-256": "sha256", "rsa-sha2-512": "sha512" }[opts.sigType];
      if (!h) throw new Error(opts.sigType);
      sigBlob = cryptoSign(h, data, opts.privateKey);
    }
  }
  const signature = new SshWriter().string(opts.sigType).string(sigBlob).toBuffer();
  return joinSig({ version: 1, publicKey: opts.publicKey, namespace: Buffer.from("niotebook-login"), reserved: Buffer.alloc(0), hash: Buffer.from(hash), signature });
}

/** A node:crypto key pair with its SSH blob as ssh-keygen converts it (-i -m PKCS8). */
function nodeKeyWithSshBlob(kind: "rsa" | "ec"): { privateKey: KeyObject; blob: Buffer; line: string } {
  const { privateKey, publicKey } = kind === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pem = join(dir, `node-${kind}-${process.hrtime.bigint()}.pem`);
  writeFileSync(pem, publicKey.export({ type: "spki", format: "pem" }));
  const line = execFileSync(SSH_KEYGEN, ["-i", "-m", "PKCS8", "-f", pem]).toString("utf8").trim();
  return { privateKey, blob: blobOfLine(line), line };
}

beforeAll(() => {
  dir = tempDir("niotebook-sshsig-");
  for (const spec of [...ACCEPTED, ...REFUSED]) keys.set(spec, generateKey(dir, spec, spec));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("public key lines", () => {
  it.each(ACCEPTED)("%s: type, blob, comment, bits and fingerprint match ssh-keygen -l", (spec) => {
    const line = readFileSync(`${keyPath(spec)}.pub`, "utf8");
    const key = parsePublicKeyLine(line);
    const expected = sshKeygenFingerprint(`${keyPath(spec)}.pub`);
    expect(key.fingerprint).toBe(expected.fingerprint);
    expect(key.bits).toBe(expected.bits);
    expect(key.type).toBe(line.split(" ")[0]);
    expect(key.blob.equals(blobOfLine(line))).toBe(true);
    expect(key.comment).toBe(`${spec}@test`);
    expect(key.key.type).toBe("public");
  });

  it("takes a line without a comment, or with spaces inside the comment, and surrounding white space", () => {
    const [type, b64] = readFileSync(`${keyPath("ed25519")}.pub`, "utf8").trim().split(" ");
    expect(parsePublicKeyLine(`${type} ${b64}`).comment).toBeNull();
    expect(parsePublicKeyLine(`  ${type}\t${b64}   my laptop key  \n`).comment).toBe("my laptop key");
  });

  it.each(REFUSED)("refuses a %s key", (spec) => {
    const line = readFileSync(`${keyPath(spec)}.pub`, "utf8");
    expectKeyError(line, spec === "rsa1024" ? "weak_key" : "unsupported_type");
  });

  it("refuses malformed lines", () => {
    const line = readFileSync(`${keyPath("ed25519")}.pub`, "utf8").trim();
    const [type, b64] = line.split(" ") as [string, string];
    expectKeyError("", "malformed");
    expectKeyError(type, "malformed");
    expectKeyError(`${type} ${b64.slice(0, -4)}`, "malformed"); // truncated blob
    expectKeyError(`${type} ${b64}!`, "malformed"); // not base64
    const ec = readFileSync(`${keyPath("ecdsa256")}.pub`, "utf8").split(" ") as [string, string];
    expect(ec[1].endsWith("=")).toBe(true); // 104 bytes: one padding character
    expectKeyError(`${ec[0]} ${ec[1].replace(/=+$/, "")}`, "malformed"); // padding dropped
    expectKeyError(`${ec[0]} ${ec[1].slice(0, -2)}B=`, "malformed"); // unused bits set: not canonical
    expectKeyError(`${line}\n${line}`, "malformed"); // two lines
    expectKeyError(`${type} ${b64} ${"x".repeat(300)}`, "malformed"); // comment too long
    expectKeyError(`${type} ${b64} laptop\u0085`, "malformed"); // a C1 control character
    expectKeyError(`${type} ${b64} laptop\ud800`, "malformed"); // a lone surrogate
    expect(parsePublicKeyLine(`${type} ${b64} ${"é".repeat(255)}`).comment).toBe("é".repeat(255));
    expectKeyError(`from="1.2.3.4" ${line}`, "unsupported_type"); // authorized_keys options
    expectKeyError(`ssh-ed25519-cert-v01@openssh.com ${b64}`, "unsupported_type");
    // Trailing bytes after a valid key.
    const extra = Buffer.concat([Buffer.from(b64, "base64"), Buffer.from([0, 0, 0, 0])]).toString("base64");
    expectKeyError(`${type} ${extra}`, "malformed");
  });

  it("refuses a line whose type is not the blob's", () => {
    const b64 = readFileSync(`${keyPath("ed25519")}.pub`, "utf8").split(" ")[1];
    expectKeyError(`ssh-rsa ${b64}`, "type_mismatch");
    const curve = new SshWriter().string("ecdsa-sha2-nistp256").string("nistp384").string(Buffer.alloc(97, 4)).toBuffer();
    expectKeyError(`ecdsa-sha2-nistp256 ${curve.toString("base64")}`, "type_mismatch");
  });

  it("refuses ECDSA points that are not on P-256, compressed or of the wrong length", () => {
    const good = parsePublicKeyLine(readFileSync(`${keyPath("ecdsa256")}.pub`, "utf8"));
    const r = new SshReader(good.blob);
    r.string();
    r.string();
    const q = r.string();
    const withQ = (point: Buffer) => `ecdsa-sha2-nistp256 ${new SshWriter().string("ecdsa-sha2-nistp256").string("nistp256").string(point).toBuffer().toString("base64")}`;
    const offCurve = Buffer.from(q);
    offCurve[64]! ^= 1; // y changed by one: no longer on the curve
    expectKeyError(withQ(offCurve), "invalid_key");
    const outOfField = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 0xff)]); // x, y ≥ p
    expectKeyError(withQ(outOfField), "invalid_key");
    const compressed = Buffer.concat([Buffer.from([2 + (q[64]! & 1)]), q.subarray(1, 33)]);
    expectKeyError(withQ(compressed), "malformed");
    expectKeyError(withQ(q.subarray(0, 64)), "malformed");
    expect(parsePublicKeyLine(withQ(q)).fingerprint).toBe(good.fingerprint);
  });

  it("refuses Ed25519 encodings that are not points, and takes every real key", () => {
    const ed = (y: Buffer) => `ssh-ed25519 ${new SshWriter().string("ssh-ed25519").string(y).toBuffer().toString("base64")}`;
    const le = (n: number, top = 0) => { const b = Buffer.alloc(32); b[0] = n; b[31] = top; return b; };
    // y = 2, 7, 8 give no x (checked with Python's pow against RFC 8032's d); 3, 4, 5 do.
    for (const y of [2, 7, 8]) expectKeyError(ed(le(y)), "invalid_key");
    for (const y of [3, 4, 5]) expect(parsePublicKeyLine(ed(le(y))).type).toBe("ssh-ed25519");
    const p = Buffer.alloc(32, 0xff); p[0] = 0xed; p[31] = 0x7f; // y = p: not canonical
    expectKeyError(ed(p), "invalid_key");
    expectKeyError(ed(le(1, 0x80)), "invalid_key"); // y = 1 gives x = 0, whose sign bit must be clear
    expect(parsePublicKeyLine(ed(le(1))).type).toBe("ssh-ed25519");
    // In a signature, such a key is left to OpenSSL, which refuses it as well.
    const parts = splitSig(sshKeygenSign(keyPath("ed25519"), CHALLENGE));
    for (const y of [2, 7, 8]) {
      const publicKey = new SshWriter().string("ssh-ed25519").string(le(y)).toBuffer();
      expectSigError(() => verifySshSig(joinSig({ ...parts, publicKey }), MESSAGE), "bad_signature");
    }
    for (let i = 0; i < 200; i++) {
      const x = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x!;
      expect(parsePublicKeyLine(ed(Buffer.from(x, "base64url"))).bits).toBe(256);
    }
  });

  it("refuses RSA keys with a non-minimal or negative mpint, an even exponent or modulus", () => {
    const good = parsePublicKeyLine(readFileSync(`${keyPath("rsa2048")}.pub`, "utf8"));
    const r = new SshReader(good.blob);
    r.string();
    const e = r.mpint();
    const n = r.mpint();
    const rsa = (eRaw: Buffer, nRaw: Buffer) => `ssh-rsa ${new SshWriter().string("ssh-rsa").string(eRaw).string(nRaw).toBuffer().toString("base64")}`;
    const nRaw = Buffer.concat([Buffer.from([0]), n]); // n's top bit is set, so it needs its 00
    expect(parsePublicKeyLine(rsa(e, nRaw)).fingerprint).toBe(good.fingerprint);
    expectKeyError(rsa(Buffer.concat([Buffer.from([0]), e]), nRaw), "malformed"); // 00 01 00 01
    expectKeyError(rsa(e, n), "malformed"); // negative: top bit set without the 00
    expectKeyError(rsa(Buffer.from([1, 0, 0]), nRaw), "weak_key"); // even e
    expectKeyError(rsa(Buffer.from([1]), nRaw), "weak_key"); // e = 1
    expectKeyError(rsa(Buffer.from([1, 0, 0, 0, 1]), nRaw), "invalid_key"); // e ≥ 2^32: slow to verify, never real
    const huge = Buffer.concat([Buffer.from([0, 0x80]), Buffer.alloc(2048), Buffer.from([1])]); // 16,392 bits
    expectKeyError(rsa(e, huge), "invalid_key");
    const even = Buffer.from(nRaw);
    even[even.length - 1]! &= 0xfe;
    expectKeyError(rsa(e, even), "invalid_key");
  });

  it("accepts a 2048-bit RSA key made by node:crypto and converted by ssh-keygen", () => {
    const { line } = nodeKeyWithSshBlob("rsa");
    expect(parsePublicKeyLine(line).bits).toBe(2048);
  });
});

describe("SSHSIG from ssh-keygen -Y sign", () => {
  it.each(ACCEPTED.flatMap((spec) => (["sha512", "sha256"] as const).map((hashalg) => [spec, hashalg] as const)))(
    "%s with %s verifies and returns the signer's key",
    (spec, hashalg) => {
      const armored = sshKeygenSign(keyPath(spec), CHALLENGE, hashalg === "sha512" ? {} : { hashalg });
      const pub = parsePublicKeyLine(readFileSync(`${keyPath(spec)}.pub`, "utf8"));
      const v = verifySshSig(armored, MESSAGE);
      expect(v.publicKey.equals(pub.blob)).toBe(true);
      expect(v.fingerprint).toBe(pub.fingerprint);
      expect(v.keyType).toBe(pub.type);
      expect(v.hashAlgorithm).toBe(hashalg);
      expect(v.signatureAlgorithm).toBe(pub.type === "ssh-rsa" ? "rsa-sha2-512" : pub.type);
    },
  );

  it("is bound to the message: another challenge, a newline added, or no bytes at all", () => {
    for (const spec of ACCEPTED) {
      const armored = sshKeygenSign(keyPath(spec), CHALLENGE);
      expectSigError(() => verifySshSig(armored, Buffer.from(`${CHALLENGE}\n`)), "bad_signature");
      expectSigError(() => verifySshSig(armored, Buffer.from(CHALLENGE.replace("q3L", "q3M"))), "bad_signature");
      expectSigError(() => verifySshSig(armored, Buffer.alloc(0)), "bad_signature");
    }
  });

  it("is bound to its namespace", () => {
    const other = sshKeygenSign(keyPath("ed25519"), CHALLENGE, { namespace: "file" });
    expectSigError(() => verifySshSig(other, MESSAGE), "namespace");
    const prefixed = sshKeygenSign(keyPath("ed25519"), CHALLENGE, { namespace: "niotebook-login-x" });
    expectSigError(() => verifySshSig(prefixed, MESSAGE), "namespace");
    // And the caller's namespace is the one checked.
    expect(verifySshSig(other, MESSAGE, "file").keyType).toBe("ssh-ed25519");
  });

  it("does not verify with another key put in the blob", () => {
    for (const spec of ACCEPTED) {
      const parts = splitSig(sshKeygenSign(keyPath(spec), CHALLENGE));
      const sameType = spec === "rsa2048" ? "rsa3072" : spec === "rsa3072" ? "rsa2048" : spec;
      const otherPath = sameType === spec ? generateKey(dir, `${spec}-other-${process.hrtime.bigint()}`, spec) : keyPath(sameType);
      const otherBlob = blobOfLine(readFileSync(`${otherPath}.pub`, "utf8"));
      expectSigError(() => verifySshSig(joinSig({ ...parts, publicKey: otherBlob }), MESSAGE), "bad_signature", "signature_encoding");
      // A key of another type cannot take this signature at all.
      const ed = blobOfLine(readFileSync(`${keyPath(spec === "ed25519" ? "ecdsa256" : "ed25519")}.pub`, "utf8"));
      expectSigError(() => verifySshSig(joinSig({ ...parts, publicKey: ed }), MESSAGE), "signature_algorithm");
    }
  });

  it("refuses truncated, padded and re-armored blobs", () => {
    const armored = sshKeygenSign(keyPath("ed25519"), CHALLENGE);
    const blob = dearmorSshSig(armored);
    for (const cut of [1, 4, 10, 64, blob.length - 6]) {
      expectSigError(() => verifySshSig(armorSshSig(blob.subarray(0, blob.length - cut)), MESSAGE), "malformed", "magic");
    }
    expectSigError(() => verifySshSig(armorSshSig(Buffer.concat([blob, Buffer.alloc(1)])), MESSAGE), "malformed");
    // Re-wrapping the same base64 at another width is the same signature.
    const b64 = blob.toString("base64");
    expect(verifySshSig(`-----BEGIN SSH SIGNATURE-----\r\n${b64.match(/.{1,64}/g)!.join("\r\n")}\r\n-----END SSH SIGNATURE-----`, MESSAGE).keyType).toBe("ssh-ed25519");
    // Base64 altered: a character in the signature, a character outside the alphabet, a lost padding.
    const i = b64.length - 20;
    const altered = b64.slice(0, i) + (b64[i] === "A" ? "B" : "A") + b64.slice(i + 1);
    expectSigError(() => verifySshSig(`-----BEGIN SSH SIGNATURE-----\n${altered}\n-----END SSH SIGNATURE-----\n`, MESSAGE), "bad_signature");
    expectSigError(() => verifySshSig(`-----BEGIN SSH SIGNATURE-----\n${b64.slice(0, 10)}*${b64.slice(11)}\n-----END SSH SIGNATURE-----\n`, MESSAGE), "armor");
    expectSigError(() => verifySshSig(armored.replace("-----BEGIN SSH SIGNATURE-----", "-----BEGIN SSH SIGNATURE----"), MESSAGE), "armor");
    expectSigError(() => verifySshSig(armored.replace(/=+\n/, "\n"), MESSAGE), "armor");
    expectSigError(() => verifySshSig("", MESSAGE), "armor");
    expectSigError(() => verifySshSig(armored.replace("\n", `\n${"A".repeat(16_384)}`), MESSAGE), "armor");
    expectSigError(() => verifySshSig(b64, MESSAGE), "armor");
  });

  it("refuses every altered byte of the signature blob, for every key type", () => {
    for (const spec of ACCEPTED) {
      const parts = splitSig(sshKeygenSign(keyPath(spec), CHALLENGE));
      const inner = new SshReader(parts.signature);
      const sigType = inner.string();
      const sigBlob = inner.string();
      // Flip one bit in each of a spread of positions (all of them for ed25519 and ECDSA).
      const step = sigBlob.length > 100 ? 7 : 1;
      for (let i = 0; i < sigBlob.length; i += step) {
        const bad = Buffer.from(sigBlob);
        bad[i]! ^= 0x01;
        const signature = new SshWriter().string(sigType).string(bad).toBuffer();
        expectSigError(() => verifySshSig(joinSig({ ...parts, signature }), MESSAGE), "bad_signature", "signature_encoding", "malformed");
      }
    }
  });

  it("refuses a changed version, magic, reserved field or hash algorithm", () => {
    const armored = sshKeygenSign(keyPath("ed25519"), CHALLENGE);
    const parts = splitSig(armored);
    expectSigError(() => verifySshSig(joinSig({ ...parts, version: 2 }), MESSAGE), "version");
    expectSigError(() => verifySshSig(joinSig({ ...parts, reserved: Buffer.from("x") }), MESSAGE), "reserved");
    expectSigError(() => verifySshSig(joinSig({ ...parts, hash: Buffer.from("sha1") }), MESSAGE), "hash_algorithm");
    expectSigError(() => verifySshSig(joinSig({ ...parts, hash: Buffer.from("sha256") }), MESSAGE), "bad_signature");
    const blob = dearmorSshSig(armored);
    blob[0] = "X".charCodeAt(0);
    expectSigError(() => verifySshSig(armorSshSig(blob), MESSAGE), "magic");
  });

  it.each(REFUSED)("refuses a signature by a %s key (ssh-keygen signs it; we do not take it)", (spec) => {
    const armored = sshKeygenSign(keyPath(spec), CHALLENGE);
    const e = expectSigError(() => verifySshSig(armored, MESSAGE), "key");
    expect((e.cause as SshKeyError).reason).toBe(spec === "rsa1024" ? "weak_key" : "unsupported_type");
  });
});

describe("SSHSIG made with node:crypto where ssh-keygen will not", () => {
  it("RSA: ssh-rsa (SHA-1) is refused; rsa-sha2-256 and -512 verify; a short signature is left-padded", () => {
    const { privateKey, blob } = nodeKeyWithSshBlob("rsa");
    expect(verifySshSig(craftSig({ privateKey, publicKey: blob, sigType: "rsa-sha2-512" }), MESSAGE).signatureAlgorithm).toBe("rsa-sha2-512");
    expect(verifySshSig(craftSig({ privateKey, publicKey: blob, sigType: "rsa-sha2-256", hash: "sha256" }), MESSAGE).signatureAlgorithm).toBe("rsa-sha2-256");
    expectSigError(() => verifySshSig(craftSig({ privateKey, publicKey: blob, sigType: "ssh-rsa" }), MESSAGE), "signature_algorithm");
    // A SHA-1 signature relabelled rsa-sha2-512 does not verify either.
    const sha1 = splitSig(craftSig({ privateKey, publicKey: blob, sigType: "ssh-rsa" }));
    const inner = new SshReader(sha1.signature);
    inner.string();
    const relabelled = new SshWriter().string("rsa-sha2-512").string(inner.string()).toBuffer();
    expectSigError(() => verifySshSig(joinSig({ ...sha1, signature: relabelled }), MESSAGE), "bad_signature");
    // A signature longer than the modulus, or empty.
    const good = splitSig(craftSig({ privateKey, publicKey: blob, sigType: "rsa-sha2-512" }));
    const gi = new SshReader(good.signature);
    gi.string();
    const s = gi.string();
    const long = new SshWriter().string("rsa-sha2-512").string(Buffer.concat([Buffer.alloc(1), s])).toBuffer();
    expectSigError(() => verifySshSig(joinSig({ ...good, signature: long }), MESSAGE), "signature_encoding");
    const overN = new SshWriter().string("rsa-sha2-512").string(Buffer.alloc(s.length, 0xff)).toBuffer(); // s ≥ n
    expectSigError(() => verifySshSig(joinSig({ ...good, signature: overN }), MESSAGE), "bad_signature");
    const empty = new SshWriter().string("rsa-sha2-512").string(Buffer.alloc(0)).toBuffer();
    expectSigError(() => verifySshSig(joinSig({ ...good, signature: empty }), MESSAGE), "signature_encoding");
    // Signatures with a leading zero byte happen (1 in 256); find one and drop that byte.
    for (let i = 0; i < 2000; i++) {
      const msg = Buffer.from(`${CHALLENGE}${i}`);
      const parts = splitSig(craftSig({ privateKey, publicKey: blob, sigType: "rsa-sha2-512", message: msg }));
      const r = new SshReader(parts.signature);
      r.string();
      const sig = r.string();
      if (sig[0] !== 0) continue;
      const short = new SshWriter().string("rsa-sha2-512").string(sig.subarray(1)).toBuffer();
      expect(verifySshSig(joinSig({ ...parts, signature: short }), msg).keyType).toBe("ssh-rsa");
      return;
    }
    throw new Error("no signature with a leading zero byte in 2000 tries");
  });

  it("RSA: an SSHSIG with a 1024-bit key made by node:crypto is refused", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pem = join(dir, "rsa1024-node.pem");
    writeFileSync(pem, publicKey.export({ type: "spki", format: "pem" }));
    const blob = blobOfLine(execFileSync(SSH_KEYGEN, ["-i", "-m", "PKCS8", "-f", pem]).toString("utf8"));
    const e = expectSigError(() => verifySshSig(craftSig({ privateKey, publicKey: blob, sigType: "rsa-sha2-512" }), MESSAGE), "key");
    expect((e.cause as SshKeyError).reason).toBe("weak_key");
    expect(() => parsePublicKeyBlob(blob)).toThrow(SshKeyError);
  });

  it("ECDSA: r and s are checked as mpints in [1, n − 1]", () => {
    const { privateKey, blob } = nodeKeyWithSshBlob("ec");
    const N = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");
    const ok = craftSig({ privateKey, publicKey: blob, sigType: "ecdsa-sha2-nistp256" });
    expect(verifySshSig(ok, MESSAGE).keyType).toBe("ecdsa-sha2-nistp256");
    const bad = (f: (r: Buffer, s: Buffer) => [Buffer, Buffer] | Buffer) => craftSig({ privateKey, publicKey: blob, sigType: "ecdsa-sha2-nistp256", ecdsaRs: f });
    expectSigError(() => verifySshSig(bad((_r, s) => [Buffer.alloc(0), s]), MESSAGE), "signature_encoding"); // r = 0
    expectSigError(() => verifySshSig(bad((r) => [r, N]), MESSAGE), "signature_encoding"); // s = n
    expectSigError(() => verifySshSig(bad((r) => [r, Buffer.alloc(32, 0xff)]), MESSAGE), "signature_encoding"); // s > n
    const plusN = (s: Buffer) => Buffer.from((BigInt(`0x${s.toString("hex")}`) + BigInt(`0x${N.toString("hex")}`)).toString(16).padStart(66, "0"), "hex");
    expectSigError(() => verifySshSig(bad((r, s) => [r, plusN(s)]), MESSAGE), "signature_encoding"); // s + n: same value mod n
    // Raw encodings the mpint reader must refuse: a needless 00, a negative number, trailing bytes.
    const raw = (f: (r: Buffer, s: Buffer) => Buffer) => bad((r, s) => f(r, s));
    const strip = (b: Buffer) => { let i = 0; while (b[i] === 0) i++; return b.subarray(i); };
    expectSigError(() => verifySshSig(raw((r, s) => new SshWriter().string(Buffer.concat([Buffer.from([0, 0x01]), strip(r)])).mpint(s).toBuffer()), MESSAGE), "malformed");
    expectSigError(() => verifySshSig(raw((r, s) => new SshWriter().string(Buffer.concat([Buffer.from([0x80]), strip(r)])).mpint(s).toBuffer()), MESSAGE), "malformed");
    expectSigError(() => verifySshSig(raw((r, s) => Buffer.concat([new SshWriter().mpint(r).mpint(s).toBuffer(), Buffer.alloc(1)])), MESSAGE), "malformed");
    // P1363 (raw r||s) instead of two mpints is not the SSH encoding.
    expectSigError(() => verifySshSig(raw((r, s) => Buffer.concat([r, s])), MESSAGE), "malformed");
  });

  it("Ed25519: a signature of the wrong length is refused", () => {
    const parts = splitSig(sshKeygenSign(keyPath("ed25519"), CHALLENGE));
    const inner = new SshReader(parts.signature);
    inner.string();
    const sig = inner.string();
    const long = new SshWriter().string("ssh-ed25519").string(Buffer.concat([sig, Buffer.alloc(1)])).toBuffer();
    expectSigError(() => verifySshSig(joinSig({ ...parts, signature: long }), MESSAGE), "signature_encoding");
  });
});

describe("SSHSIG made through an ssh-agent", () => {
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

  it.each(["ed25519", "ecdsa256", "rsa2048"] as const)("%s: the agent signs (no private key file) and it verifies", (spec) => {
    // Loaded into the agent, then the private key file removed: only the agent can sign.
    const path = generateKey(agentDir, `agent-${spec}`, spec);
    agent.add(path);
    rmSync(path);
    const armored = sshKeygenSign(`${path}.pub`, CHALLENGE, { env: agent.env });
    const v = verifySshSig(armored, MESSAGE);
    expect(v.publicKey.equals(blobOfLine(readFileSync(`${path}.pub`, "utf8")))).toBe(true);
    expect(v.signatureAlgorithm).toBe(spec === "rsa2048" ? "rsa-sha2-512" : v.keyType);
    expectSigError(() => verifySshSig(armored, Buffer.from(`${CHALLENGE}x`)), "bad_signature");
  });
});
