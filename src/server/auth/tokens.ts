// Access tokens: HS256 JWTs carrying sub, username, iat and exp — only HS256, only ours.
// Refresh tokens: 256 random bits, handed out once and stored only as a SHA-256 hash.
import { createHash, randomBytes } from "node:crypto";
import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import { ApiError, unauthorized } from "../http/errors.js";

export interface AccessClaims {
  userId: string;
  username: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly ttlMs: number) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Signs a token; expiresAt is its exp as the contract's timestamp. */
  async issue(userId: string, username: string, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
    const iat = Math.floor(now / 1000);
    const exp = iat + Math.max(1, Math.round(this.ttlMs / 1000));
    const token = await new SignJWT({ username })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, ".000000Z") };
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ["HS256"], clockTolerance: 0 });
      if (typeof payload.sub !== "string" || !UUID.test(payload.sub) || typeof payload.username !== "string" ||
          typeof payload.exp !== "number" || typeof payload.iat !== "number") {
        throw unauthorized("Invalid access token");
      }
      return { userId: payload.sub.toLowerCase(), username: payload.username };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof joseErrors.JWTExpired) {
        throw new ApiError("token_expired", "Access token has expired; refresh it");
      }
      throw unauthorized("Invalid access token");
    }
  }
}

export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
