// The sessions' files, one per server. auth.json is the session of config.yaml's server (the
// "home" server), in the original client's format plus server_url, so people can still switch
// clients; every other server's session lives beside it in sessions/<host>_<port>.json. All are
// written with mode 0600 via write-then-rename; tokens for another server are never handed out.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Tokens } from "../../api/index.js";
import { writeFileAtomic } from "./atomic-write.js";
import { ensureDir } from "./paths.js";
import { normalizeServerUrl } from "./server-url.js";

export interface StoredSession extends Tokens {
  server_url: string;
}

export const SESSIONS_DIR = "sessions";

/** The file name of a server's session: host and port (scheme default filled in), then any path. */
export function sessionFileName(serverUrl: string): string {
  const url = new URL(normalizeServerUrl(serverUrl));
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const path = url.pathname.replace(/^\/+|\/+$/g, "");
  const safe = (part: string) => part.replace(/[^A-Za-z0-9.-]+/g, "-");
  return `${safe(host)}_${port}${path === "" ? "" : `_${safe(path)}`}.json`;
}

/** A file's tokens as written (by this client or the original one), or null when it holds none. */
function readRaw(path: string): (Partial<StoredSession> & Tokens) | null {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as Partial<StoredSession>;
    if (typeof data.access_token !== "string" || typeof data.refresh_token !== "string") return null;
    return { ...data, access_token: data.access_token, refresh_token: data.refresh_token, expires_at: String(data.expires_at ?? "") };
  } catch {
    return null;
  }
}

const sameServer = (a: string, b: string) => normalizeServerUrl(a) === normalizeServerUrl(b);

export class SessionStore {
  /** Where this server's session is written: auth.json for the home server, else sessions/…json. */
  readonly path: string;
  private readonly authPath: string;
  /**
   * Where this server's session may also be, from when config.yaml named another server:
   * sessions/…json for the home server, auth.json (bound to it by server_url) for the others.
   */
  private readonly otherPath: string;
  private readonly home: boolean;

  /**
   * `configuredServer`: the server_url of the config.yaml that was there before this client ran.
   * The original client writes auth.json without server_url and sends its tokens to that server,
   * so such a file belongs to it — and to no other.
   * `homeServer`: the server whose session auth.json holds (config.yaml's, as the client will
   * have written it); by default the configured one, else this store's own.
   */
  constructor(
    private readonly dir: string,
    readonly serverUrl: string,
    private readonly configuredServer?: string,
    homeServer?: string,
  ) {
    this.authPath = join(dir, "auth.json");
    this.home = sameServer(homeServer ?? configuredServer ?? serverUrl, serverUrl);
    const ownFile = join(dir, SESSIONS_DIR, sessionFileName(serverUrl));
    this.path = this.home ? this.authPath : ownFile;
    this.otherPath = this.home ? ownFile : this.authPath;
  }

  /** Tokens for this server, or null (missing, unreadable, or issued by another server). */
  load(): StoredSession | null {
    const source = this.source();
    if (!source) return null;
    const { data, issuer } = source;
    // The original client saves "" after a refresh: then the access token's own exp says it,
    // and without one it counts as expired (refreshed first).
    const exp = readTokenClaims(data.access_token).exp;
    const expiresAt = data.expires_at !== "" && !Number.isNaN(Date.parse(data.expires_at)) ? data.expires_at
      : new Date(exp !== undefined ? exp * 1000 : 0).toISOString();
    return { access_token: data.access_token, refresh_token: data.refresh_token, expires_at: expiresAt, server_url: normalizeServerUrl(issuer) };
  }

  /** Tokens as this store keeps them: bound to its server. */
  bind(tokens: Tokens): StoredSession {
    return { access_token: tokens.access_token, refresh_token: tokens.refresh_token, expires_at: tokens.expires_at, server_url: this.serverUrl };
  }

  save(tokens: Tokens): StoredSession {
    const session = this.bind(tokens);
    if (this.home) this.moveAsideForeignAuthJson();
    ensureDir(join(this.path, ".."));
    writeFileAtomic(this.path, `${JSON.stringify(session, null, 2)}\n`, 0o600);
    // A copy of this server's session in its other place is superseded now.
    if (this.other()) rmSync(this.otherPath, { force: true });
    return session;
  }

  /** Forgets this server's session, wherever it is; another server's file is left alone. */
  clear(): void {
    if (this.own()) rmSync(this.path, { force: true });
    if (this.other()) rmSync(this.otherPath, { force: true });
  }

  /**
   * Removes this server's session only if what it holds now passes `holds`: another running
   * client may have replaced it — with the same session refreshed, or another account — and
   * that may not be this client's to delete.
   */
  clearIf(holds: (tokens: Tokens) => boolean): void {
    const source = this.source();
    if (!source || !holds(source.data)) return;
    rmSync(source.path, { force: true });
  }

  /** The file this server's session is read from now, with its tokens and issuer. */
  private source(): { path: string; data: Partial<StoredSession> & Tokens; issuer: string } | null {
    const own = this.own();
    if (own) return { path: this.path, ...own };
    const other = this.other();
    return other ? { path: this.otherPath, data: other, issuer: this.serverUrl } : null;
  }

  /** The own file's tokens when they are this server's (the original client's auth.json: the configured server's). */
  private own(): { data: Partial<StoredSession> & Tokens; issuer: string } | null {
    const data = existsSync(this.path) ? readRaw(this.path) : null;
    if (!data) return null;
    const issuer = typeof data.server_url === "string" ? data.server_url : this.home ? this.configuredServer : undefined;
    return issuer !== undefined && sameServer(issuer, this.serverUrl) ? { data, issuer } : null;
  }

  /** The other place's tokens when they name this server. */
  private other(): (Partial<StoredSession> & Tokens) | null {
    const data = existsSync(this.otherPath) ? readRaw(this.otherPath) : null;
    return data && typeof data.server_url === "string" && sameServer(data.server_url, this.serverUrl) ? data : null;
  }

  /**
   * Before the home server's session takes auth.json: a session of another server found there
   * (config.yaml changed since it was written) moves to its own file instead of being lost.
   */
  private moveAsideForeignAuthJson(): void {
    const data = existsSync(this.authPath) ? readRaw(this.authPath) : null;
    if (!data || typeof data.server_url !== "string" || sameServer(data.server_url, this.serverUrl)) return;
    let target: string;
    try {
      target = join(this.dir, SESSIONS_DIR, sessionFileName(data.server_url));
    } catch {
      return;
    }
    if (existsSync(target)) return;
    ensureDir(join(target, ".."));
    writeFileAtomic(target, `${JSON.stringify({ access_token: data.access_token, refresh_token: data.refresh_token, expires_at: data.expires_at, server_url: normalizeServerUrl(data.server_url) }, null, 2)}\n`, 0o600);
  }
}

/** One stored session, as `niotebook whoami` lists it. */
export interface SessionSummary {
  server_url: string;
  username?: string;
  user_id?: string;
  expires_at: string;
  file: string;
}

/**
 * Every session on disk: auth.json's (its server_url, or the configured server's for the original
 * client's file), then sessions/*.json, by server URL.
 */
export function listSessions(dir: string, configuredServer?: string): SessionSummary[] {
  const found: SessionSummary[] = [];
  const add = (file: string, data: (Partial<StoredSession> & Tokens) | null, fallbackServer?: string) => {
    const server = typeof data?.server_url === "string" ? data.server_url : fallbackServer;
    if (!data || server === undefined) return;
    const claims = readTokenClaims(data.access_token);
    found.push({
      server_url: normalizeServerUrl(server),
      ...(claims.username !== undefined ? { username: claims.username } : {}),
      ...(claims.sub !== undefined ? { user_id: claims.sub } : {}),
      expires_at: data.expires_at !== "" ? data.expires_at : claims.exp !== undefined ? new Date(claims.exp * 1000).toISOString() : "",
      file,
    });
  };
  const authPath = join(dir, "auth.json");
  if (existsSync(authPath)) add(authPath, readRaw(authPath), configuredServer);
  let names: string[] = [];
  try {
    names = readdirSync(join(dir, SESSIONS_DIR)).filter((name) => name.endsWith(".json")).sort();
  } catch {
    // no sessions folder: only auth.json
  }
  for (const name of names) add(join(dir, SESSIONS_DIR, name), readRaw(join(dir, SESSIONS_DIR, name)));
  // A server listed twice (a legacy auth.json beside its own file): the own file wins.
  return found.filter((entry, index) => !found.some((other, later) => later > index && sameServer(other.server_url, entry.server_url)));
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
