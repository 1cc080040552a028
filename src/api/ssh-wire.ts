// SSH wire-format pieces the server's verifier and the client's signer share (RFC 4251 §5
// types, the SSHSIG blob of OpenSSH's PROTOCOL.sshsig and its armor). No cryptography here
// and nothing of ours imported: both sides of the wall may use it.

/** Any malformed input met while reading SSH wire data. */
export class SshWireError extends Error {
  override readonly name = "SshWireError";
}

export const SSHSIG_MAGIC = Buffer.from("SSHSIG", "latin1");
export const SSHSIG_VERSION = 1;
export const SSHSIG_BEGIN = "-----BEGIN SSH SIGNATURE-----";
export const SSHSIG_END = "-----END SSH SIGNATURE-----";
export const LOGIN_NAMESPACE = "niotebook-login";

/** Sequential reader over an SSH wire buffer; every read is bounds-checked. */
export class SshReader {
  private offset = 0;
  private readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  bytes(n: number): Buffer {
    if (n < 0 || n > this.remaining) throw new SshWireError(`needs ${n} bytes, ${this.remaining} left`);
    const out = Buffer.from(this.buf.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }

  uint32(): number {
    const b = this.bytes(4);
    return b.readUInt32BE(0);
  }

  byte(): number {
    return this.bytes(1)[0]!;
  }

  /** `string`: uint32 length, then that many bytes. */
  string(): Buffer {
    return this.bytes(this.uint32());
  }

  /** A `string` that must be valid UTF-8 (names, namespaces, comments). */
  text(): string {
    const raw = this.string();
    const s = raw.toString("utf8");
    if (!Buffer.from(s, "utf8").equals(raw)) throw new SshWireError("string is not valid UTF-8");
    return s;
  }

  /**
   * `mpint`, held to RFC 4251's rules as OpenSSH's sshbuf_get_bignum2 does: non-negative and
   * minimally encoded (no leading zero byte unless the next has its top bit set). Returns
   * the magnitude without the sign byte.
   */
  mpint(): Buffer {
    const raw = this.string();
    if (raw.length === 0) return raw;
    if ((raw[0]! & 0x80) !== 0) throw new SshWireError("negative mpint");
    if (raw[0] === 0 && (raw.length === 1 || (raw[1]! & 0x80) === 0)) throw new SshWireError("mpint not minimally encoded");
    return raw[0] === 0 ? raw.subarray(1) : raw;
  }

  /** Refuses trailing bytes: every structure we read must be consumed exactly. */
  end(): void {
    if (this.remaining !== 0) throw new SshWireError(`${this.remaining} trailing bytes`);
  }
}

/** Accumulates SSH wire data. */
export class SshWriter {
  private readonly parts: Buffer[] = [];

  raw(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }

  uint32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0, 0);
    this.parts.push(b);
    return this;
  }

  byte(n: number): this {
    this.parts.push(Buffer.from([n & 0xff]));
    return this;
  }

  string(s: Uint8Array | string): this {
    const b = typeof s === "string" ? Buffer.from(s, "utf8") : Buffer.from(s);
    return this.uint32(b.length).raw(b);
  }

  /** `mpint` from an unsigned big-endian magnitude (leading zeros dropped, sign byte added). */
  mpint(magnitude: Uint8Array): this {
    let i = 0;
    while (i < magnitude.length && magnitude[i] === 0) i++;
    const m = Buffer.from(magnitude.subarray(i));
    return this.string(m.length > 0 && (m[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), m]) : m);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Base64 decode that refuses anything Buffer.from would silently skip or repair. */
export function strictBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new SshWireError("invalid base64");
  const out = Buffer.from(text, "base64");
  if (out.toString("base64") !== text) throw new SshWireError("non-canonical base64");
  return out;
}

/** The key type name at the head of a public key blob (no other check). */
export function blobKeyType(blob: Uint8Array): string {
  return new SshReader(blob).text();
}

/** Left-pads an unsigned magnitude to `size` bytes (refuses one that does not fit). */
export function padTo(magnitude: Uint8Array, size: number): Buffer {
  if (magnitude.length > size) throw new SshWireError(`value longer than ${size} bytes`);
  return Buffer.concat([Buffer.alloc(size - magnitude.length), magnitude]);
}

/** The bytes an SSHSIG's signature covers (PROTOCOL.sshsig, "Signed Data"). */
export function sshsigSignedData(namespace: string, hashAlgorithm: string, messageHash: Uint8Array): Buffer {
  return new SshWriter()
    .raw(SSHSIG_MAGIC)
    .string(namespace)
    .string("") // reserved
    .string(hashAlgorithm)
    .string(messageHash)
    .toBuffer();
}

/** The SSHSIG blob (PROTOCOL.sshsig, "Blob format"); `signature` is the SSH signature encoding. */
export function sshsigBlob(publicKey: Uint8Array, namespace: string, hashAlgorithm: string, signature: Uint8Array): Buffer {
  return new SshWriter()
    .raw(SSHSIG_MAGIC)
    .uint32(SSHSIG_VERSION)
    .string(publicKey)
    .string(namespace)
    .string("")
    .string(hashAlgorithm)
    .string(signature)
    .toBuffer();
}

/** Armors an SSHSIG blob as ssh-keygen does: base64 in lines of 70, trailing newline. */
export function armorSshSig(blob: Uint8Array): string {
  const b64 = Buffer.from(blob).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 70) lines.push(b64.slice(i, i + 70));
  return `${SSHSIG_BEGIN}\n${lines.join("\n")}\n${SSHSIG_END}\n`;
}

/**
 * The blob inside an armored SSHSIG. Surrounding white space and CRLF line ends are
 * tolerated; anything else between the markers must be base64 (canonical, as a whole).
 */
export function dearmorSshSig(armored: string): Buffer {
  const lines = armored.trim().split(/\r?\n/);
  if (lines.length < 3 || lines[0] !== SSHSIG_BEGIN || lines[lines.length - 1] !== SSHSIG_END) {
    throw new SshWireError("not an armored SSH signature");
  }
  return strictBase64(lines.slice(1, -1).join(""));
}
