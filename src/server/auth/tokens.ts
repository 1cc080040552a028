// Access tokens: HS256 JWTs carrying sub, username, iat, exp and sev (the user's token epoch
// when issued: a password change or deletion moves it on and so revokes every older token;
// absent in tokens issued before epochs existed, which count as epoch 0) — only HS256, only ours.
// Refresh tokens: 256 random bits, handed out once and stored only as a SHA-256 hash.
// Both signing and verifying are one synchronous HMAC with a prepared key (node:crypto): a
// JWT library's WebCrypto path cost ~7% of the server's CPU on the first timeline page.
import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { ApiError, unauthorized } from "../http/errors.js";
import { isUuid } from "../ids.js";

export interface AccessClaims {
  userId: string;
  username: string;
  tokenEpoch: number;
}

// The header every token carries, encoded once; jose wrote the same bytes, so tokens issued
// before it was dropped are byte-for-byte what this code issues.
const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/** Tokens whose signature and claims were checked, remembered at most (the oldest go first). */
const VERIFIED_TOKENS = 10_000;

interface Verified {
  claims: Readonly<AccessClaims>;
  nbf: number | undefined;
  exp: number;
}

export class AccessTokens {
  private readonly hmacKey: KeyObject;
  // A client sends the same token with every request until it expires: its HMAC and the
  // decoding of both JSON parts are done once per token (a tenth of the server's CPU on the
  // cached first timeline page), and only the clock is checked on every request. A map keyed
  // by the whole token text holds only tokens that passed every check.
  private readonly verified = new Map<string, Verified>();

  constructor(secret: string, private readonly ttlMs: number, private readonly now: () => number = Date.now) {
    this.hmacKey = createSecretKey(Buffer.from(secret, "utf8"));
  }

  private sign(signingInput: string): string {
    return createHmac("sha256", this.hmacKey).update(signingInput).digest("base64url");
  }

  /** Signs a token; expiresAt is its exp as the contract's timestamp. */
  issue(userId: string, username: string, tokenEpoch = 0, now = Date.now()): { token: string; expiresAt: string } {
    const iat = Math.floor(now / 1000);
    const exp = iat + Math.max(1, Math.round(this.ttlMs / 1000));
    const payload = Buffer.from(JSON.stringify(tokenEpoch === 0 ? { username, sub: userId, iat, exp } : { username, sev: tokenEpoch, sub: userId, iat, exp })).toString("base64url");
    const token = `${HEADER}.${payload}.${this.sign(`${HEADER}.${payload}`)}`;
    return { token, expiresAt: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, ".000000Z") };
  }

  verify(token: string): AccessClaims {
    let known = this.verified.get(token);
    if (!known) {
      known = this.check(token);
      if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, known);
    }
    const nowSeconds = this.now() / 1000;
    if (known.nbf !== undefined && known.nbf > nowSeconds) throw unauthorized("Invalid access token");
    if (nowSeconds >= known.exp) {
      this.verified.delete(token);
      throw new ApiError("token_expired", "Access token has expired; refresh it");
    }
    return known.claims;
  }

  /** Signature and claims, everything about a token but the clock. */
  private check(token: string): Verified {
    const invalid = () => unauthorized("Invalid access token");
    const parts = token.split(".");
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw invalid();
    const [header, payload, signature] = parts as [string, string, string];
    // Compared as text: decoding would accept other spellings of the same bytes (the last
    // character's unused bits), so one token would have several valid forms.
    const given = Buffer.from(signature, "latin1");
    const expected = Buffer.from(this.sign(`${header}.${payload}`), "latin1");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    const head = decodeJson(header);
    // Only HS256, and nothing that asks us to understand extensions.
    if (!head || head.alg !== "HS256" || "crit" in head || (head.typ !== undefined && head.typ !== "JWT")) throw invalid();
    const claims = decodeJson(payload);
    if (!claims || typeof claims.sub !== "string" || !isUuid(claims.sub) || typeof claims.username !== "string" ||
        typeof claims.exp !== "number" || typeof claims.iat !== "number" ||
        (claims.sev !== undefined && !(Number.isSafeInteger(claims.sev) && (claims.sev as number) >= 0))) {
      throw invalid();
    }
    return {
      claims: Object.freeze({ userId: claims.sub.toLowerCase(), username: claims.username, tokenEpoch: (claims.sev as number | undefined) ?? 0 }),
      nbf: typeof claims.nbf === "number" ? claims.nbf : undefined,
      exp: claims.exp,
    };
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
