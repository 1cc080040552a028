import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiClient } from "../../src/client/api-client.js";
import { ApiError } from "../../src/client/api-errors.js";
import { SessionStore } from "../../src/client/config/session-store.js";
import { makeTokens, makeUser } from "./helpers/fixtures.js";
import { apiError, deadServerUrl, startStubServer, type StubServer } from "./helpers/stub-server.js";

const user = makeUser("alice");
const emptyPage = { posts: [], next_cursor: null, has_more: false };

let stub: StubServer;
let dir: string;
beforeEach(async () => {
  stub = await startStubServer();
  dir = mkdtempSync(join(tmpdir(), "nb-api-"));
});
afterEach(async () => {
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(opts: { timeoutMs?: number; url?: string } = {}): { api: ApiClient; store: SessionStore } {
  const store = new SessionStore(dir, opts.url ?? stub.url);
  return { api: new ApiClient({ baseUrl: opts.url ?? stub.url, session: store, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) }), store };
}

/** Accepts exactly the tokens in `valid`; any other bearer token is expired. */
function acceptOnly(valid: Set<string>): void {
  stub.on("GET", "/api/v1/timeline", (req) =>
    valid.has(String(req.headers.authorization).replace("Bearer ", ""))
      ? { body: emptyPage }
      : apiError(401, "token_expired", "Access token expired"),
  );
}

/** A stored session the stub refuses as expired; refreshing it answers `fresh` after `delayMs`. */
function expiringSession(delayMs = 0): void {
  const fresh = makeTokens(user);
  client().store.save(makeTokens(user));
  acceptOnly(new Set([fresh.access_token]));
  stub.on("POST", "/api/v1/auth/refresh", () => ({ body: { tokens: fresh }, delayMs }));
}

describe("ApiClient", () => {
  it("says it can't reach a server that is down", async () => {
    const url = await deadServerUrl();
    const { api } = client({ url });
    await expect(api.health()).rejects.toThrow(`Can't reach server at ${url}`);
  });

  it("turns 429 into a message with the wait from Retry-After", async () => {
    stub.on("POST", "/api/v1/auth/login", () => ({ ...apiError(429, "rate_limited", "Too many requests"), headers: { "retry-after": "12" } }));
    const { api } = client();
    const error = await api.login({ email: "a@b.co", password: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe("Rate limited — try again in 12s");
  });

  it("keeps the server's message and field for validation errors", async () => {
    stub.on("POST", "/api/v1/auth/register", () => apiError(409, "conflict", "Username already taken", "username"));
    const { api } = client();
    const error = (await api.register({ username: "alice", email: "a@b.co", password: "password1" }).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe("Username already taken");
    expect(error.field).toBe("username");
    expect(error.status).toBe(409);
  });

  it("times out after the configured time", async () => {
    stub.on("GET", "/health", () => ({ hang: true }));
    const { api } = client({ timeoutMs: 200 });
    const started = Date.now();
    await expect(api.health()).rejects.toThrow(/did not answer within/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("retries a publish that timed out with the same Idempotency-Key, and only then says it may not have posted", async () => {
    const { store } = client();
    store.save(makeTokens(user));
    stub.on("POST", "/api/v1/posts", () => ({ hang: true }));
    const api = new ApiClient({ baseUrl: stub.url, session: store, timeoutMs: 200, publishRetryDelaysMs: [10, 10] });
    await expect(api.createPost("hello")).rejects.toThrow("May not have posted — check the timeline");
    const sent = stub.requests.filter((r) => r.path === "/api/v1/posts");
    expect(sent).toHaveLength(3);
    const key = sent[0]!.headers["idempotency-key"];
    expect(key).toMatch(/^[\x21-\x7e]{1,100}$/);
    expect(sent.map((r) => r.headers["idempotency-key"])).toEqual([key, key, key]);
  });

  it("a retried publish that the server answers returns the first attempt's post; each publish has its own key", async () => {
    const { store } = client();
    store.save(makeTokens(user));
    const made = new Map<string, { id: string; content: string }>();
    let calls = 0;
    stub.on("POST", "/api/v1/posts", (req) => {
      calls++;
      const key = String(req.headers["idempotency-key"]);
      if (!made.has(key)) made.set(key, { id: `post-${made.size + 1}`, content: (req.body as { content: string }).content });
      // The first attempt is stored but its answer never arrives.
      return calls === 1 ? { hang: true } : { status: 200, body: { post: made.get(key) } };
    });
    const api = new ApiClient({ baseUrl: stub.url, session: store, timeoutMs: 200, publishRetryDelaysMs: [10, 10] });
    expect((await api.createPost("hello")).id).toBe("post-1");
    expect(made.size).toBe(1);
    await api.createPost("again");
    expect(made.size).toBe(2); // a new publish, a new key
  });

  it("a publish that failed with a server error is retried with the same key, and never says it did not post", async () => {
    client().store.save(makeTokens(user));
    stub.on("POST", "/api/v1/posts", () => apiError(500, "internal_error", "Something went wrong"));
    const { store } = client();
    const api = new ApiClient({ baseUrl: stub.url, session: store, publishRetryDelaysMs: [10] });
    await expect(api.createPost("hello")).rejects.toThrow("May not have posted — check the timeline");
    expect(stub.requests.filter((r) => r.path === "/api/v1/posts")).toHaveLength(2);
  });

  it("a publish the server refuses (4xx) is not retried; a reply carries reply_to_id", async () => {
    client().store.save(makeTokens(user));
    stub.on("POST", "/api/v1/posts", () => apiError(404, "not_found", "Post not found"));
    const { api } = client();
    await expect(api.createPost("hello", { replyToId: "p1" })).rejects.toThrow("Post not found");
    const sent = stub.requests.filter((r) => r.path === "/api/v1/posts");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ content: "hello", reply_to_id: "p1" });
  });

  it("on 401 token_expired refreshes once and retries transparently", async () => {
    const old = makeTokens(user);
    const fresh = makeTokens(user);
    client().store.save(old);
    acceptOnly(new Set([fresh.access_token]));
    stub.on("POST", "/api/v1/auth/refresh", (req) =>
      (req.body as { refresh_token: string }).refresh_token === old.refresh_token
        ? { body: { tokens: fresh } }
        : apiError(401, "unauthorized", "Unknown refresh token"),
    );
    const { api, store } = client();
    await expect(api.timeline()).resolves.toEqual(emptyPage);
    expect(store.load()?.access_token).toBe(fresh.access_token);
    expect(stub.requests.map((r) => r.path)).toEqual(["/api/v1/timeline", "/api/v1/auth/refresh", "/api/v1/timeline"]);
  });

  it("two requests expiring together refresh only once", async () => {
    expiringSession(50);
    const { api } = client();
    await Promise.all([api.timeline(), api.timeline(), api.timeline()]);
    expect(stub.requests.filter((r) => r.path === "/api/v1/auth/refresh")).toHaveLength(1);
  });

  it("uses tokens another client already refreshed instead of spending its own", async () => {
    const old = makeTokens(user);
    const fresh = makeTokens(user);
    client().store.save(old);
    const { api } = client();
    // Another running client refreshes and rewrites auth.json meanwhile.
    new SessionStore(dir, stub.url).save(fresh);
    acceptOnly(new Set([fresh.access_token]));
    stub.on("POST", "/api/v1/auth/refresh", () => apiError(401, "unauthorized", "Refresh token reused"));
    await expect(api.timeline()).resolves.toEqual(emptyPage);
    expect(stub.requests.filter((r) => r.path === "/api/v1/auth/refresh")).toHaveLength(0);
  });

  it("never takes another account's tokens from auth.json: a second client's log-in is not this client's session", async () => {
    const bob = makeUser("bob");
    const mine = makeTokens(user);
    const myFresh = makeTokens(user);
    client().store.save(mine);
    const { api, store } = client();
    // Another client sharing the file logs in as bob.
    const bobs = makeTokens(bob);
    new SessionStore(dir, stub.url).save(bobs);
    acceptOnly(new Set([myFresh.access_token, bobs.access_token]));
    stub.on("POST", "/api/v1/auth/refresh", (req) =>
      (req.body as { refresh_token: string }).refresh_token === mine.refresh_token ? { body: { tokens: myFresh } } : apiError(401, "unauthorized", "Unknown refresh token"));
    await api.timeline();
    const sent = stub.requests.map((r) => [r.path, r.headers.authorization ?? (r.body as { refresh_token?: string })?.refresh_token]);
    expect(sent).toEqual([
      ["/api/v1/timeline", `Bearer ${mine.access_token}`],
      ["/api/v1/auth/refresh", mine.refresh_token],
      ["/api/v1/timeline", `Bearer ${myFresh.access_token}`],
    ]);
    // The file stays bob's: the later log-in owns it.
    expect(store.load()?.refresh_token).toBe(bobs.refresh_token);
  });

  it("when its session ends while auth.json holds another account, leaves that file alone (log-out too)", async () => {
    const bobs = makeTokens(makeUser("bob"));
    const mine = makeTokens(user);
    client().store.save(mine);
    const { api, store } = client();
    new SessionStore(dir, stub.url).save(bobs);
    stub.on("POST", "/api/v1/auth/logout", () => ({ status: 204 }));
    await api.logout();
    expect(stub.requests[0]?.body).toEqual({ refresh_token: mine.refresh_token });
    expect(store.load()?.refresh_token).toBe(bobs.refresh_token);

    const second = client();
    second.store.save(mine);
    const other = new ApiClient({ baseUrl: stub.url, session: new SessionStore(dir, stub.url) });
    new SessionStore(dir, stub.url).save(bobs);
    acceptOnly(new Set());
    stub.on("POST", "/api/v1/auth/refresh", () => apiError(401, "token_expired", "Refresh token expired"));
    await expect(other.timeline()).rejects.toThrow("Session expired — please log in again");
    expect(store.load()?.refresh_token).toBe(bobs.refresh_token);
  });

  it("a refresh refused as used waits for the tokens of the client that used it first", async () => {
    const old = makeTokens(user);
    const fresh = makeTokens(user);
    client().store.save(old);
    const { api } = client();
    acceptOnly(new Set([fresh.access_token]));
    // The other client's refresh won; its answer (and so its save) arrives 300 ms after ours.
    stub.on("POST", "/api/v1/auth/refresh", () => {
      setTimeout(() => new SessionStore(dir, stub.url).save(fresh), 300);
      return apiError(401, "unauthorized", "Refresh token already used");
    });
    let expired = 0;
    api.onSessionExpired(() => expired++);
    await expect(api.timeline()).resolves.toEqual(emptyPage);
    expect(expired).toBe(0);
    expect(stub.requests.at(-1)?.headers.authorization).toBe(`Bearer ${fresh.access_token}`);
  });

  it("once its session has ended, never picks up another account's tokens for a later request", async () => {
    client().store.save(makeTokens(user));
    acceptOnly(new Set());
    stub.on("POST", "/api/v1/auth/refresh", () => apiError(401, "token_expired", "Refresh token expired"));
    const { api } = client();
    await expect(api.timeline()).rejects.toThrow("Session expired");
    const bobs = makeTokens(makeUser("bob"));
    new SessionStore(dir, stub.url).save(bobs);
    const before = stub.requests.length;
    await expect(api.timeline()).rejects.toThrow("Session expired");
    expect(stub.requests.slice(before)).toEqual([]);
  });

  it("a log-out while a refresh is on its way wins: the late answer is neither kept nor saved", async () => {
    expiringSession(200);
    stub.on("POST", "/api/v1/auth/logout", () => ({ status: 204 }));
    const { api, store } = client();
    const pending = api.timeline();
    await new Promise((r) => setTimeout(r, 50));
    await api.logout();
    await expect(pending).rejects.toThrow("Session expired");
    expect(store.load()).toBeNull();
    expect(api.isLoggedIn).toBe(false);
  });

  it("refreshes silently before the first request when the stored token has expired", async () => {
    const expired = makeTokens(user, { expiresInMs: -60_000 });
    const fresh = makeTokens(user);
    client().store.save(expired);
    acceptOnly(new Set([fresh.access_token]));
    stub.on("POST", "/api/v1/auth/refresh", () => ({ body: { tokens: fresh } }));
    const { api } = client();
    await api.timeline();
    expect(stub.requests.map((r) => r.path)).toEqual(["/api/v1/auth/refresh", "/api/v1/timeline"]);
  });

  // Refused as expired, the session is over at once; refused as already used, only after
  // waiting for the client that used it first (nobody here).
  it.each([["token_expired", 0], ["unauthorized", 1_900]] as const)(
    "when refreshing fails (%s) the session is over: auth.json is removed and listeners told, after %i ms or more",
    async (code, waitMs) => {
      client().store.save(makeTokens(user));
      acceptOnly(new Set());
      stub.on("POST", "/api/v1/auth/refresh", () => apiError(401, code, "Refresh refused"));
      const { api, store } = client();
      let told = 0;
      api.onSessionExpired(() => told++);
      const started = Date.now();
      await expect(api.timeline()).rejects.toThrow("Session expired — please log in again");
      expect(Date.now() - started).toBeGreaterThanOrEqual(waitMs);
      expect(told).toBe(1);
      expect(store.load()).toBeNull();
    });

  it("logout revokes the refresh token and deletes auth.json", async () => {
    const tokens = makeTokens(user);
    client().store.save(tokens);
    stub.on("POST", "/api/v1/auth/logout", () => ({ status: 204 }));
    const { api, store } = client();
    await api.logout();
    expect(stub.requests[0]?.body).toEqual({ refresh_token: tokens.refresh_token });
    expect(store.load()).toBeNull();
  });

  it("sends tokens only to the server that issued them", async () => {
    new SessionStore(dir, "http://other.example").save(makeTokens(user));
    const { api } = client();
    expect(api.isLoggedIn).toBe(false);
  });
});

describe("prefetch (the TUI's first requests, started while its code loads)", () => {
  it("hands each prefetched answer to the first request for its path, once", async () => {
    client().store.save(makeTokens(user));
    stub.on("GET", "/api/v1/users/me", () => ({ body: { user } }));
    stub.on("GET", "/api/v1/timeline", () => ({ body: emptyPage, delayMs: 50 }));
    const { api } = client();
    api.prefetch(["/api/v1/users/me", "/api/v1/timeline"]);
    expect(stub.requests.filter((r) => r.path === "/api/v1/timeline")).toHaveLength(0); // not yet answered
    expect((await api.me()).username).toBe("alice");
    expect(await api.timeline(null)).toEqual(emptyPage);
    expect(stub.requests.filter((r) => r.path === "/api/v1/users/me")).toHaveLength(1);
    expect(stub.requests.filter((r) => r.path === "/api/v1/timeline")).toHaveLength(1);
    await api.timeline(null); // the next one asks the server
    expect(stub.requests.filter((r) => r.path === "/api/v1/timeline")).toHaveLength(2);
  });

  it("asks again when the prefetched request found the session ended, so the listeners that exist by then hear it", async () => {
    client().store.save(makeTokens(user));
    stub.on("GET", "/api/v1/users/me", () => apiError(401, "unauthorized", "Session revoked"));
    const { api } = client();
    api.prefetch(["/api/v1/users/me"]);
    let heard = 0;
    await new Promise((resolve) => setTimeout(resolve, 100)); // the prefetch has failed before anyone listens
    api.onSessionExpired(() => heard++);
    await expect(api.me()).rejects.toMatchObject({ kind: "session_expired" });
    expect(heard).toBe(1);
  });

  it("starts nothing without a stored session", async () => {
    const { api } = client();
    api.prefetch(["/api/v1/users/me"]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stub.requests).toHaveLength(0);
  });
});
