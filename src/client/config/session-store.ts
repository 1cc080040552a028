// auth.json: the session's tokens, bound to the server that issued them. Written with mode
// 0600 via write-then-rename; tokens for another server are never handed out.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Tokens } from "../../api/index.js";
import { writeFileAtomic } from "./atomic-write.js";
import { ensureDir } from "./paths.js";
import { normalizeServerUrl } from "./server-url.js";

export interface StoredSession extends Tokens {
  server_url: string;
}

export class SessionStore {
  readonly path: string;

  /**
   * `configuredServer`: the server_url of the config.yaml that was there before this client ran.
   * The original client writes auth.json without server_url and sends its tokens to that server,
   * so such a file belongs to it — and to no other.
   */
  constructor(
    private readonly dir: string,
    readonly serverUrl: string,
    private readonly configuredServer?: string,
  ) {
    this.path = join(dir, "auth.json");
  }

  /** Tokens for this server, or null (missing, unreadable, or issued by another server). */
  load(): StoredSession | null {
    if (!existsSync(this.path)) return null;
    try {
      const data = JSON.parse(readFileSync(this.path, "utf8")) as Partial<StoredSession>;
      if (typeof data.access_token !== "string" || typeof data.refresh_token !== "string") return null;
      const issuer = typeof data.server_url === "string" ? data.server_url : this.configuredServer;
      if (issuer === undefined || normalizeServerUrl(issuer) !== normalizeServerUrl(this.serverUrl)) return null;
      // The original client saves "" after a refresh: then the access token's own exp says it,
      // and without one it counts as expired (refreshed first).
      const exp = readTokenClaims(data.access_token).exp;
      const expiresAt = typeof data.expires_at === "string" && !Number.isNaN(Date.parse(data.expires_at)) ? data.expires_at
        : new Date(exp !== undefined ? exp * 1000 : 0).toISOString();
      return {
        access_token: data.access_token,
        refresh_token: data.refresh_token,
        expires_at: expiresAt,
        server_url: normalizeServerUrl(issuer),
      };
    } catch {
      return null;
    }
  }

  /** Tokens as this store keeps them: bound to its server. */
  bind(tokens: Tokens): StoredSession {
    return { access_token: tokens.access_token, refresh_token: tokens.refresh_token, expires_at: tokens.expires_at, server_url: this.serverUrl };
  }

  save(tokens: Tokens): StoredSession {
    ensureDir(this.dir);
    const session = this.bind(tokens);
    writeFileAtomic(this.path, `${JSON.stringify(session, null, 2)}\n`, 0o600);
    return session;
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }

  /**
   * Removes auth.json only if what it holds now passes `holds`: another running client may have
   * replaced it — with the same session refreshed, or another account — and that may not be
   * this client's to delete.
   */
  clearIf(holds: (tokens: Tokens) => boolean): void {
    try {
      const data = JSON.parse(readFileSync(this.path, "utf8")) as Partial<StoredSession>;
      if (typeof data.access_token !== "string" || typeof data.refresh_token !== "string") return;
      if (!holds({ access_token: data.access_token, refresh_token: data.refresh_token, expires_at: String(data.expires_at ?? "") })) return;
    } catch {
      return;
    }
    this.clear();
  }
}

/**
 * The claims the client reads from an access token, unverified (the server verifies): the name
 * to show, whose tokens these are, and when they expire if auth.json does not say.
 */
export function readTokenClaims(accessToken: string): { sub?: string; username?: string; exp?: number } {
  const payload = accessToken.split(".")[1];
  if (!payload) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    return {
      ...(typeof claims.sub === "string" ? { sub: claims.sub } : {}),
      ...(typeof claims.username === "string" ? { username: claims.username } : {}),
      ...(typeof claims.exp === "number" && Number.isFinite(claims.exp) ? { exp: claims.exp } : {}),
    };
  } catch {
    return {};
  }
}
