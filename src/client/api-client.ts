// The one HTTP client of the TUI and the CLI: typed with the shared contract, a 10 s timeout
// on every request, readable errors, and transparent single-flight token refresh.
import { randomUUID } from "node:crypto";
import type {
  AccountExport, SshChallengeResponse, SshKey, SshKeyList, SshKeyResponse,
  AuthResponse, Health, InstanceInfo, LoginBody, Post, PostPage, PostResponse, RegisterBody, Tokens,
  TokensResponse, UpdateProfileBody, User, UserResponse,
} from "../api/index.js";
import {
  ApiError, PUBLISH_TIMEOUT_MESSAGE, SESSION_EXPIRED_MESSAGE, parseRetryAfter, rateLimitedMessage,
  unreachableMessage,
} from "./api-errors.js";
import { readTokenClaims, type SessionStore, type StoredSession } from "./config/session-store.js";
import { httpFetch, type HttpFetch, type HttpResponse } from "./http-fetch.js";
import type { NotificationPage, SocialPost, SocialPostPage, Thread, UserPage, UserWithRelationship } from "./social.js";


export const REQUEST_TIMEOUT_MS = 10_000;
/** A publish that timed out (or failed on the server's side) is sent again this many times,
 * with the same Idempotency-Key, so it can never post twice; waits between attempts. */
export const PUBLISH_RETRY_DELAYS_MS = [500, 1_500];
/** Refresh a little before expiry so a request never leaves with a token about to die. */
const EXPIRY_MARGIN_MS = 10_000;
/**
 * After a refresh refused as already used, how long to watch auth.json for the tokens of the
 * client that used it first (it saves them once its answer arrives), and how often.
 */
const RIVAL_REFRESH_WAIT_MS = 2_000;
const RIVAL_REFRESH_POLL_MS = 100;

/** Whose tokens these are: the user id in the access token (no verification: comparison only). */
const accountOf = (tokens: Tokens) => readTokenClaims(tokens.access_token).sub;

const sessionEnded = () => new ApiError("session_expired", SESSION_EXPIRED_MESSAGE, { status: 401, code: "unauthorized" });

export interface ApiClientOptions {
  baseUrl: string;
  session: SessionStore;
  /** node:http by default (http-fetch.ts: Node's fetch costs 40-100 ms on its first call); fetch fits. */
  fetch?: HttpFetch;
  timeoutMs?: number;
  now?: () => number;
  publishRetryDelaysMs?: readonly number[];
}

interface RequestOptions {
  body?: unknown;
  auth?: boolean;
  /** POST /posts: a timeout may have created the post, so it gets its own message. */
  publish?: boolean;
  headers?: Record<string, string>;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly session: SessionStore;
  private readonly fetchImpl: HttpFetch;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly publishRetryDelays: readonly number[];
  private tokens: StoredSession | null;
  /**
   * The account this client is signed in as (the access token's user id): set by log-in, sign-up
   * or the session it started with, and kept after a session ends, so nothing still in flight can
   * go on under another account's tokens from a shared auth.json.
   */
  private account: string | undefined;
  /** Moves on at every log-in and log-out: a refresh answered after one is not this session's. */
  private generation = 0;
  private refreshing: Promise<StoredSession> | null = null;
  private expiredListeners = new Set<() => void>();
  /** GETs started before anyone asked (the TUI's first requests, while its code loads), by path. */
  private readonly early = new Map<string, Promise<unknown>>();

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.session = options.session;
    this.fetchImpl = options.fetch ?? httpFetch;
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.publishRetryDelays = options.publishRetryDelaysMs ?? PUBLISH_RETRY_DELAYS_MS;
    this.tokens = this.session.load();
    this.account = this.tokens ? accountOf(this.tokens) : undefined;
  }

  get isLoggedIn(): boolean {
    return this.tokens !== null;
  }

  get accessToken(): string | null {
    return this.tokens?.access_token ?? null;
  }

  /** Called when the session cannot be renewed and the user must log in again. */
  onSessionExpired(listener: () => void): () => void {
    this.expiredListeners.add(listener);
    return () => this.expiredListeners.delete(listener);
  }

  // ── endpoints ────────────────────────────────────────────────────────────────────────

  health(): Promise<Health> {
    return this.request<Health>("GET", "/health");
  }

  /** What kind of sign-up the server takes; the original server has no such route (404). */
  instance(): Promise<InstanceInfo> {
    return this.request<InstanceInfo>("GET", "/api/v1/instance");
  }

  async register(body: RegisterBody): Promise<AuthResponse> {
    const result = await this.request<AuthResponse>("POST", "/api/v1/auth/register", { body });
    this.adopt(result.tokens);
    return result;
  }

  async login(body: LoginBody): Promise<AuthResponse> {
    const result = await this.request<AuthResponse>("POST", "/api/v1/auth/login", { body });
    this.adopt(result.tokens);
    return result;
  }

  /**
   * Revokes the session (best effort; any of its refresh tokens revokes it all) and always
   * forgets it locally, with auth.json while that holds this account (another account's stays).
   */
  async logout(): Promise<void> {
    const tokens = this.tokens ?? this.ownOnDisk();
    const account = this.account;
    this.generation++;
    try {
      if (tokens) await this.send<void>("POST", "/api/v1/auth/logout", { body: { refresh_token: tokens.refresh_token } }, null);
    } finally {
      this.tokens = null;
      this.session.clearIf((onDisk) => account !== undefined && accountOf(onDisk) === account);
    }
  }

  async me(): Promise<User> {
    return (await this.request<UserResponse>("GET", "/api/v1/users/me", { auth: true })).user;
  }

  async user(id: string): Promise<User> {
    return (await this.request<UserResponse>("GET", `/api/v1/users/${encodeURIComponent(id)}`, { auth: true })).user;
  }

  timeline(cursor?: string | null, limit?: number): Promise<PostPage> {
    return this.request<PostPage>("GET", `/api/v1/timeline${pageQuery(cursor, limit)}`, { auth: true });
  }

  userPosts(id: string, cursor?: string | null, limit?: number): Promise<PostPage> {
    return this.request<PostPage>("GET", `/api/v1/users/${encodeURIComponent(id)}/posts${pageQuery(cursor, limit)}`, {
      auth: true,
    });
  }

  async post(id: string): Promise<Post> {
    return (await this.request<PostResponse>("GET", `/api/v1/posts/${encodeURIComponent(id)}`, { auth: true })).post;
  }

  /**
   * Publishes with an Idempotency-Key; a timeout or a server-side failure may have stored the
   * post, so it is sent again with the same key (the server answers with the post the first
   * attempt made). Only when every attempt fails does it say it may not have posted.
   */
  async createPost(content: string, opts: { replyToId?: string } = {}): Promise<SocialPost> {
    const body = opts.replyToId ? { content, reply_to_id: opts.replyToId } : { content };
    const headers = { "idempotency-key": randomUUID() };
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.request<{ post: SocialPost }>("POST", "/api/v1/posts", { body, auth: true, publish: true, headers })).post;
      } catch (error) {
        const uncertain = error instanceof ApiError && error.message === PUBLISH_TIMEOUT_MESSAGE;
        const delay = this.publishRetryDelays[attempt];
        if (!uncertain || delay === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  homeTimeline(cursor?: string | null, limit?: number): Promise<SocialPostPage> {
    return this.request<SocialPostPage>("GET", `/api/v1/timeline/home${pageQuery(cursor, limit)}`, { auth: true });
  }

  /** A profile with the caller's relationship to it (absent for yourself or from a v1 server). */
  userWithRelationship(id: string): Promise<UserWithRelationship> {
    return this.request<UserWithRelationship>("GET", `/api/v1/users/${encodeURIComponent(id)}`, { auth: true });
  }

  thread(id: string, cursor?: string | null, limit?: number): Promise<Thread> {
    return this.request<Thread>("GET", `/api/v1/posts/${encodeURIComponent(id)}/thread${pageQuery(cursor, limit)}`, { auth: true });
  }

  /** Like (on) or unlike (off); the answer carries the new count and flag. */
  async setLiked(id: string, on: boolean): Promise<SocialPost> {
    return (await this.request<{ post: SocialPost }>(on ? "POST" : "DELETE", `/api/v1/posts/${encodeURIComponent(id)}/like`, { auth: true })).post;
  }

  async setReposted(id: string, on: boolean): Promise<SocialPost> {
    return (await this.request<{ post: SocialPost }>(on ? "POST" : "DELETE", `/api/v1/posts/${encodeURIComponent(id)}/repost`, { auth: true })).post;
  }

  setFollowing(id: string, on: boolean): Promise<UserWithRelationship> {
    return this.request<UserWithRelationship>(on ? "POST" : "DELETE", `/api/v1/users/${encodeURIComponent(id)}/follow`, { auth: true });
  }

  followList(id: string, which: "followers" | "following", cursor?: string | null, limit?: number): Promise<UserPage> {
    return this.request<UserPage>("GET", `/api/v1/users/${encodeURIComponent(id)}/${which}${pageQuery(cursor, limit)}`, { auth: true });
  }

  setBlocked(id: string, on: boolean): Promise<UserWithRelationship> {
    return this.request<UserWithRelationship>(on ? "POST" : "DELETE", `/api/v1/users/${encodeURIComponent(id)}/block`, { auth: true });
  }

  setMuted(id: string, on: boolean): Promise<UserWithRelationship> {
    return this.request<UserWithRelationship>(on ? "POST" : "DELETE", `/api/v1/users/${encodeURIComponent(id)}/mute`, { auth: true });
  }

  /** Reports a post or a user (exactly one) to the operators. */
  async report(target: { post_id: string } | { user_id: string }, reason: string): Promise<{ id: string; created_at: string }> {
    return (await this.request<{ report: { id: string; created_at: string } }>("POST", "/api/v1/reports", { body: { ...target, reason }, auth: true })).report;
  }

  searchPosts(q: string, cursor?: string | null, limit?: number): Promise<SocialPostPage> {
    const params = new URLSearchParams({ q });
    if (cursor) params.set("cursor", cursor);
    if (limit !== undefined) params.set("limit", String(limit));
    return this.request<SocialPostPage>("GET", `/api/v1/search/posts?${params.toString()}`, { auth: true });
  }

  async searchUsers(q: string, limit?: number): Promise<User[]> {
    const params = new URLSearchParams({ q });
    if (limit !== undefined) params.set("limit", String(limit));
    return (await this.request<{ users: User[] }>("GET", `/api/v1/search/users?${params.toString()}`, { auth: true })).users;
  }

  notifications(cursor?: string | null, limit?: number): Promise<NotificationPage> {
    return this.request<NotificationPage>("GET", `/api/v1/notifications${pageQuery(cursor, limit)}`, { auth: true });
  }

  /** Marks that notification and every older one read (all, without an id). */
  async markNotificationsRead(upToId?: string): Promise<void> {
    await this.request<void>("POST", "/api/v1/notifications/read", { body: upToId ? { up_to_id: upToId } : {}, auth: true });
  }

  async deletePost(id: string): Promise<void> {
    await this.request<void>("DELETE", `/api/v1/posts/${encodeURIComponent(id)}`, { auth: true });
  }

  async updateProfile(body: UpdateProfileBody): Promise<User> {
    return (await this.request<UserResponse>("PATCH", "/api/v1/users/me", { body, auth: true })).user;
  }

  // ── account and SSH keys (social.md, "Accounts") ─────────────────────────────────────

  /** A challenge to sign; the caller checks its origin (challengeIsForServer) before signing. */
  sshChallenge(username: string): Promise<SshChallengeResponse> {
    return this.request<SshChallengeResponse>("POST", "/api/v1/auth/ssh/challenge", { body: { username } });
  }

  async sshLogin(body: { username: string; challenge: string; signature: string }): Promise<AuthResponse> {
    const result = await this.request<AuthResponse>("POST", "/api/v1/auth/ssh", { body });
    this.adopt(result.tokens);
    return result;
  }

  async sshKeys(): Promise<SshKey[]> {
    return (await this.request<SshKeyList>("GET", "/api/v1/users/me/keys", { auth: true })).keys;
  }

  async addSshKey(publicKey: string): Promise<SshKey> {
    return (await this.request<SshKeyResponse>("POST", "/api/v1/users/me/keys", { body: { public_key: publicKey }, auth: true })).key;
  }

  async removeSshKey(id: string): Promise<void> {
    await this.request<void>("DELETE", `/api/v1/users/me/keys/${encodeURIComponent(id)}`, { auth: true });
  }

  /** Signs every other session out; this client keeps the fresh pair. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const result = await this.request<TokensResponse>("POST", "/api/v1/users/me/password", {
      body: { current_password: currentPassword, new_password: newPassword }, auth: true,
    });
    this.adopt(result.tokens);
  }

  exportAccount(): Promise<AccountExport> {
    return this.request<AccountExport>("GET", "/api/v1/users/me/export", { auth: true });
  }

  async deleteAccount(password: string): Promise<void> {
    await this.request<void>("DELETE", "/api/v1/users/me", { body: { password }, auth: true });
    this.forget();
  }

  /**
   * Opens the live stream (social.md "Live updates"): the response, its body unread. No
   * timeout (it is meant to stay open; `signal` ends it). An expired token is refreshed once
   * and the stream asked for again; any other refusal is an ApiError.
   */
  async openStream(timeline: "home" | "global", lastEventId: string | null, signal: AbortSignal): Promise<HttpResponse> {
    const open = async (token: string): Promise<HttpResponse> => {
      const headers: Record<string, string> = { accept: "text/event-stream", authorization: `Bearer ${token}` };
      if (lastEventId) headers["last-event-id"] = lastEventId;
      let response: HttpResponse;
      try {
        response = await this.fetchImpl(`${this.baseUrl}/api/v1/stream?timeline=${timeline}`, { headers, signal });
      } catch {
        throw new ApiError("network", unreachableMessage(this.baseUrl));
      }
      if (response.ok) return response;
      throw httpError(response, parseJson(await response.text().catch(() => "")));
    };
    const token = await this.currentAccessToken();
    try {
      return await open(token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      if (error.code !== "token_expired") throw this.sessionExpired();
      return open((await this.renew(token)).access_token);
    }
  }

  /**
   * Starts these GETs of a stored session now; the first request for the same path within
   * EARLY_MS takes the answer. The TUI's first requests so overlap the loading of its code.
   */
  prefetch(paths: readonly string[]): void {
    if (!this.isLoggedIn) return;
    for (const path of paths) {
      const answer = this.request<unknown>("GET", path, { auth: true });
      answer.catch(() => {}); // taken or not, never an unhandled rejection
      this.early.set(path, answer);
      setTimeout(() => this.early.get(path) === answer && this.early.delete(path), EARLY_MS).unref();
    }
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────

  private adopt(tokens: Tokens): void {
    this.generation++;
    this.tokens = this.session.save(tokens);
    this.account = accountOf(tokens);
  }

  /**
   * Drops this client's session, and auth.json while it still holds this session's refresh
   * token: another client may have replaced it since, and that is not this client's to delete.
   */
  private forget(): void {
    const spent = this.tokens?.refresh_token;
    this.tokens = null;
    if (spent) this.session.clearIf((onDisk) => onDisk.refresh_token === spent);
  }

  /**
   * auth.json's tokens if they are this client's account: another client sharing the file may
   * have logged in as someone else, and a post must never go out under the wrong name.
   */
  private ownOnDisk(): StoredSession | null {
    const onDisk = this.session.load();
    if (!onDisk) return null;
    return this.account === undefined || accountOf(onDisk) === this.account ? onDisk : null;
  }

  /** auth.json's tokens when another client has renewed this account's session past `spent`. */
  private renewedElsewhere(spent: string): StoredSession | null {
    const onDisk = this.ownOnDisk();
    return onDisk && onDisk.refresh_token !== spent && !this.isExpired(onDisk) ? onDisk : null;
  }

  private isExpired(tokens: Tokens): boolean {
    const expiry = Date.parse(tokens.expires_at);
    return Number.isNaN(expiry) || expiry - EXPIRY_MARGIN_MS <= this.now();
  }

  private sessionExpired(): ApiError {
    this.forget();
    for (const listener of this.expiredListeners) listener();
    return sessionEnded();
  }

  /** A usable access token, refreshed first when the stored one has expired. */
  private async currentAccessToken(): Promise<string> {
    if (!this.tokens) {
      this.tokens = this.ownOnDisk();
      if (this.tokens) this.account ??= accountOf(this.tokens);
    }
    if (!this.tokens) throw this.sessionExpired();
    if (this.isExpired(this.tokens)) return (await this.renew(this.tokens.access_token)).access_token;
    return this.tokens.access_token;
  }

  /**
   * Renews the session after `staleAccessToken` was refused. Single flight: concurrent
   * callers share one refresh. Tokens that another request (or another running client,
   * via auth.json) already obtained are used instead of spending the refresh token.
   */
  private renew(staleAccessToken: string): Promise<StoredSession> {
    if (this.refreshing) return this.refreshing;
    const onDisk = this.ownOnDisk();
    if (onDisk && onDisk.access_token !== staleAccessToken && !this.isExpired(onDisk)) {
      this.tokens = onDisk;
      return Promise.resolve(onDisk);
    }
    if (this.tokens && this.tokens.access_token !== staleAccessToken && !this.isExpired(this.tokens)) {
      return Promise.resolve(this.tokens);
    }
    const refreshToken = (onDisk ?? this.tokens)?.refresh_token;
    if (!refreshToken) return Promise.reject(this.sessionExpired());
    this.refreshing = this.refresh(refreshToken).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(refreshToken: string): Promise<StoredSession> {
    const generation = this.generation;
    try {
      const { tokens } = await this.request<TokensResponse>("POST", "/api/v1/auth/refresh", {
        body: { refresh_token: refreshToken },
      });
      // Logged out (or in as someone) while it was on its way: not to be kept, let alone saved.
      if (generation !== this.generation) throw sessionEnded();
      // Kept in memory only if auth.json has meanwhile become another account's (a later log-in
      // in another client owns the file now); saved otherwise.
      const fileIsAnothers = this.session.load() !== null && this.ownOnDisk() === null;
      this.tokens = fileIsAnothers ? this.session.bind(tokens) : this.session.save(tokens);
      return this.tokens;
    } catch (error) {
      if (generation !== this.generation) throw sessionEnded();
      if (error instanceof ApiError && error.status === 401) {
        // Another client may have refreshed with this very token a moment ago: refused as
        // used (not as expired), its new tokens reach auth.json as soon as its answer does.
        const deadline = Date.now() + (error.code === "unauthorized" ? RIVAL_REFRESH_WAIT_MS : 0);
        for (;;) {
          const renewed = this.renewedElsewhere(refreshToken);
          if (renewed) return (this.tokens = renewed);
          if (Date.now() >= deadline) break;
          await new Promise((resolve) => setTimeout(resolve, RIVAL_REFRESH_POLL_MS));
        }
        throw this.sessionExpired();
      }
      throw error;
    }
  }

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const early = method === "GET" ? this.early.get(path) : undefined;
    if (early) {
      this.early.delete(path);
      try {
        return (await early) as T;
      } catch (error) {
        // An ended session is asked again, so the listeners that exist by now hear of it.
        if (!(error instanceof ApiError && error.kind === "session_expired")) throw error;
      }
    }
    if (!options.auth) return this.send<T>(method, path, options, null);
    const token = await this.currentAccessToken();
    try {
      return await this.send<T>(method, path, options, token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      // A 401 means the server refused the request, so repeating it (even a publish)
      // cannot create anything twice.
      if (error.code !== "token_expired") throw this.sessionExpired();
      const renewed = await this.renew(token);
      try {
        return await this.send<T>(method, path, options, renewed.access_token);
      } catch (retryError) {
        if (retryError instanceof ApiError && retryError.status === 401) throw this.sessionExpired();
        throw retryError;
      }
    }
  }

  private async send<T>(method: string, path: string, options: RequestOptions, token: string | null): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    let response: HttpResponse;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      if (timedOut && options.publish) throw new ApiError("timeout", PUBLISH_TIMEOUT_MESSAGE);
      if (timedOut) {
        throw new ApiError("timeout", `Server at ${this.baseUrl} did not answer within ${Math.round(this.timeoutMs / 1000)}s`);
      }
      throw new ApiError("network", unreachableMessage(this.baseUrl));
    }
    const body = parseJson(text);
    if (response.ok) return body as T;
    const error = httpError(response, body);
    // A publish that failed on the server's side may still have been saved (a database that
    // stopped answering mid-write): never say it did not post.
    if (options.publish && response.status >= 500) throw new ApiError("http", PUBLISH_TIMEOUT_MESSAGE, error.details);
    throw error;
  }
}

/** How long a prefetched answer waits for its asker; after that it is stale. */
const EARLY_MS = 5_000;

/** What the TUI asks first with a stored session: who it is, and both timelines' first pages. */
export const FIRST_TUI_REQUESTS = ["/api/v1/users/me", `/api/v1/timeline${pageQuery(null)}`, `/api/v1/timeline/home${pageQuery(null)}`] as const;

function pageQuery(cursor?: string | null, limit?: number): string {
  const params = new URLSearchParams();
  if (cursor) params.set("cursor", cursor);
  if (limit !== undefined) params.set("limit", String(limit));
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function httpError(response: HttpResponse, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error;
  const code = typeof error?.code === "string" ? error.code : undefined;
  const field = typeof error?.field === "string" ? error.field : undefined;
  const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"));
  const details = {
    status: response.status,
    ...(code ? { code } : {}),
    ...(field ? { field } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
  if (response.status === 429) return new ApiError("http", rateLimitedMessage(retryAfterSeconds), details);
  const message =
    typeof error?.message === "string" && error.message !== ""
      ? error.message
      : response.status >= 500
        ? `Server error (${response.status}) — try again later`
        : `Request failed (${response.status})`;
  return new ApiError("http", message, details);
}
