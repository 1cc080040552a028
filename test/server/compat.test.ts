// Speaks to the server exactly as the original Go client does: limit=20 pages, `me` paths,
// a refresh on any 401 with the request retried — including two requests that refresh at the
// same moment with one token — and every answer decoded into the original's shapes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestServer, type TestServer } from "./harness.js";

// Go's time.RFC3339Nano parse accepts this; the original's models require these fields.
const GO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isUuid = (v: unknown) => typeof v === "string" && /^[0-9a-f-]{36}$/.test(v);

/** A decoded JSON object: each decoder checks the fields it reads. */
type Json = Record<string, unknown>;

function decodeUser(u: Json) {
  expect(isUuid(u.id)).toBe(true);
  for (const k of ["username", "display_name", "bio"]) expect(typeof u[k]).toBe("string");
  expect(u.created_at).toMatch(GO_TIME);
}
function decodePost(p: Json, withAuthor: boolean) {
  expect(isUuid(p.id)).toBe(true);
  expect(isUuid(p.author_id)).toBe(true);
  expect(typeof p.content).toBe("string");
  expect(p.created_at).toMatch(GO_TIME);
  if (withAuthor) decodeUser(p.author as Json);
}
function decodeTokens(t: Json) {
  expect(typeof t.access_token).toBe("string");
  expect(typeof t.refresh_token).toBe("string");
  expect(t.expires_at).toMatch(GO_TIME);
}
function decodeTimeline(body: Json, withAuthor: boolean) {
  expect(Array.isArray(body.posts)).toBe(true);
  (body.posts as Json[]).forEach((p) => decodePost(p, withAuthor));
  expect(typeof body.has_more).toBe("boolean");
  expect(body.next_cursor === null || typeof body.next_cursor === "string").toBe(true);
}

/** The original client's behaviour: on any 401, refresh and retry once; no single-flight. */
class GoStyleClient {
  tokens!: { access_token: string; refresh_token: string };
  refreshes = 0;
  constructor(private readonly base: string) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a body of any shape, as fetch's json() gives; the decoders above check it
  async raw(method: string, path: string, body?: unknown, auth = true): Promise<{ status: number; body: any }> {
    const res = await fetch(this.base + path, {
      method,
      headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${this.tokens.access_token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  }

  async do(method: string, path: string, body?: unknown) {
    let res = await this.raw(method, path, body);
    if (res.status === 401) {
      const refreshed = await this.raw("POST", "/api/v1/auth/refresh", { refresh_token: this.tokens.refresh_token }, false);
      this.refreshes++;
      if (refreshed.status === 200) {
        decodeTokens(refreshed.body.tokens);
        this.tokens = refreshed.body.tokens;
      }
      res = await this.raw(method, path, body);
    }
    return res;
  }
}

describe.each(BACKENDS)("compatibility with the original client on %s", (backend) => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer(backend, { NIOTEBOOK_ACCESS_TOKEN_TTL: "2s" });
    await server.app.listen({ host: "127.0.0.1", port: 0 });
    const address = server.app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => server.close());

  it("registers, logs in, posts, reads pages of 20 and profiles through `me`", async () => {
    const client = new GoStyleClient(base);
    const reg = await client.raw("POST", "/api/v1/auth/register", { username: "gopher", email: "gopher@go.dev", password: "password123" }, false);
    expect(reg.status).toBe(201);
    decodeUser(reg.body.user);
    decodeTokens(reg.body.tokens);
    const login = await client.raw("POST", "/api/v1/auth/login", { email: "gopher@go.dev", password: "password123" }, false);
    expect(login.status).toBe(200);
    client.tokens = login.body.tokens;

    for (let i = 0; i < 45; i++) {
      const res = await client.do("POST", "/api/v1/posts", { content: `post number ${i}` });
      expect(res.status).toBe(201);
      decodePost(res.body.post, false);
    }
    const seen: string[] = [];
    let cursor = "";
    for (;;) {
      const res = await client.do("GET", `/api/v1/timeline?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      decodeTimeline(res.body, true);
      seen.push(...res.body.posts.map((p: { id: string }) => p.id));
      if (!res.body.has_more) break;
      cursor = res.body.next_cursor;
    }
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);

    const me = await client.do("GET", "/api/v1/users/me");
    decodeUser(me.body.user);
    const mine = await client.do("GET", "/api/v1/users/me/posts?limit=20");
    decodeTimeline(mine.body, false);
    expect(mine.body.posts).toHaveLength(20);
    const patched = await client.do("PATCH", "/api/v1/users/me", { display_name: "Gopher", bio: "Go away" });
    decodeUser(patched.body.user);
    const one = await client.do("GET", `/api/v1/posts/${seen[0]}`);
    decodePost(one.body.post, true);
  });

  it("survives access-token expiry, even when two requests refresh at the same moment", async () => {
    const client = new GoStyleClient(base);
    const reg = await client.raw("POST", "/api/v1/auth/register", { username: "gopher2", email: "gopher2@go.dev", password: "password123" }, false);
    client.tokens = reg.body.tokens;
    await new Promise((r) => setTimeout(r, 3_100));
    const expired = await client.raw("GET", "/api/v1/timeline");
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("token_expired");

    // Both requests see 401 and refresh with the same token at once: one wins; the other's
    // refresh is refused within the grace period without revoking the winner's session.
    const [a, b] = await Promise.all([client.do("GET", "/api/v1/timeline?limit=20"), client.do("GET", "/api/v1/users/me")]);
    expect(client.refreshes).toBe(2);
    expect([a.status, b.status]).toContain(200);
    const after = await client.do("GET", "/api/v1/users/me");
    expect(after.status).toBe(200);
    const again = await client.raw("POST", "/api/v1/auth/refresh", { refresh_token: client.tokens.refresh_token }, false);
    expect(again.status).toBe(200);
  }, 20_000);
});
