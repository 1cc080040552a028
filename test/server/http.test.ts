import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { Writable } from "node:stream";
import pg from "pg";
import { TokenBuckets } from "../../src/server/http/rate-limit.js";
import { BACKENDS, TestClient, errorOf, eventually, signUp, startTestServer, type TestServer } from "./harness.js";

describe.each(BACKENDS)("HTTP conventions on %s", (backend) => {
  let server: TestServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startTestServer(backend, { NIOTEBOOK_CORS_ORIGIN: "https://allowed.example" });
    client = (await signUp(server.app, "httpuser")).client;
  });
  afterAll(() => server.close());

  it("404s unknown paths with or without a token", async () => {
    for (const c of [client, client.as(undefined)]) {
      const res = await c.get("/api/v1/nothing/here");
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe("not_found");
    }
  });

  it("405s a known path with the wrong method, with an Allow header", async () => {
    const res = await client.request("PUT", "/api/v1/posts", { content: "x" });
    expect(res.statusCode).toBe(405);
    expect(errorOf(res).code).toBe("method_not_allowed");
    expect(res.headers.allow).toBe("POST");
    const timeline = await client.request("POST", "/api/v1/timeline", {});
    expect(timeline.statusCode).toBe(405);
    expect(String(timeline.headers.allow)).toContain("GET");
    // DELETE /users/me deletes the account (social.md, "Accounts"): PUT is the wrong method.
    const user = await client.request("PUT", "/api/v1/users/me", {});
    expect(user.statusCode).toBe(405);
    expect(String(user.headers.allow).split(", ").sort()).toEqual(["DELETE", "GET", "HEAD", "PATCH"]);
  });

  it("404s a known path with a trailing slash, and matches percent-encoded paths as the router does", async () => {
    for (const [method, path] of [["GET", "/api/v1/timeline/"], ["POST", "/api/v1/posts/"], ["GET", "/health/"], ["GET", "/api/v1/users/me/"]] as const) {
      const res = await client.request(method, path, method === "POST" ? { content: "x" } : undefined);
      expect(res.statusCode, `${method} ${path}`).toBe(404);
      expect(errorOf(res).code).toBe("not_found");
    }
    // An encoded slash is not a separator to the router, so not to us either: no such path.
    for (const path of ["/api/v1%2Ftimeline", "/api/v1/users%2Fme"]) expect((await client.get(path)).statusCode, path).toBe(404);
    const encoded = await client.request("PUT", "/%61pi/v1/posts", { content: "x" });
    expect(encoded.statusCode).toBe(405);
    expect(encoded.headers.allow).toBe("POST");
    const served = await client.get("/%61pi/v1/users/me");
    expect(served.statusCode).toBe(200);
    expect(served.headers["cache-control"]).toBe("no-store");
  });

  it("answers an OPTIONS request that is not a CORS preflight like any unserved method", async () => {
    const known = await client.request("OPTIONS", "/api/v1/timeline");
    expect(known.statusCode).toBe(405);
    expect(errorOf(known).code).toBe("method_not_allowed");
    expect(known.headers["content-type"]).toBe("application/json; charset=utf-8");
    const unknown = await client.request("OPTIONS", "/api/v1/nope", undefined, { origin: "https://allowed.example" });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).code).toBe("not_found");
  });

  it("413s a body over 4 KiB", async () => {
    const res = await client.post("/api/v1/posts", { content: "x".repeat(5000) });
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).code).toBe("payload_too_large");
  });

  it("415s a non-JSON content type and parses JSON with parameters or with no content type", async () => {
    let res = await client.request("POST", "/api/v1/posts", "content=x", { "content-type": "application/x-www-form-urlencoded" });
    expect(res.statusCode).toBe(415);
    expect(errorOf(res).code).toBe("unsupported_media_type");
    res = await client.request("POST", "/api/v1/posts", '{"content":"x"}', { "content-type": "text/plain" });
    expect(res.statusCode).toBe(415);
    res = await client.request("POST", "/api/v1/posts", '{"content":"with charset"}', { "content-type": "application/json; charset=utf-8" });
    expect(res.statusCode).toBe(201);
    res = await client.app.inject({ method: "POST", url: "/api/v1/posts", headers: { authorization: `Bearer ${client.token}` }, payload: '{"content":"no type"}' });
    expect(res.statusCode).toBe(201);
  });

  it("415s a body with any Content-Encoding but identity, whether or not it is really encoded", async () => {
    const { gzipSync } = await import("node:zlib");
    const json = '{"content":"encoded"}';
    for (const [encoding, payload] of [["gzip", json], ["gzip", gzipSync(json)], ["br", json], ["identity, gzip", json], ["GZIP", json]] as const) {
      const res = await client.app.inject({
        method: "POST", url: "/api/v1/posts", payload,
        headers: { authorization: `Bearer ${client.token}`, "content-type": "application/json", "content-encoding": encoding },
      });
      expect(res.statusCode, encoding).toBe(415);
      expect(errorOf(res).code).toBe("unsupported_media_type");
    }
    const before = (await client.get("/api/v1/timeline")).json();
    expect(before.posts.some((p: { content: string }) => p.content === "encoded")).toBe(false);
    for (const encoding of ["identity", "Identity"]) {
      const res = await client.request("POST", "/api/v1/posts", json, { "content-encoding": encoding });
      expect(res.statusCode, encoding).toBe(201);
    }
  });

  it("400s bad JSON, invalid UTF-8, an empty body and a non-object body", async () => {
    for (const payload of ['{"content":', Buffer.from([0x7b, 0x22, 0x63, 0xff, 0x22, 0x3a, 0x31, 0x7d]), "", "null", '"text"', "[]"]) {
      const res = await client.app.inject({
        method: "POST", url: "/api/v1/posts", payload,
        headers: { authorization: `Bearer ${client.token}`, "content-type": "application/json" },
      });
      expect(res.statusCode, String(payload)).toBe(400);
      expect(errorOf(res).code).toBe("validation_error");
    }
  });

  it("sets nosniff on every response and no-store on API responses", async () => {
    for (const res of [await client.get("/api/v1/timeline"), await client.get("/health"), await client.get("/api/v1/nope")]) {
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
    expect((await client.get("/api/v1/timeline")).headers["cache-control"]).toBe("no-store");
    expect((await client.get("/api/v1/timeline")).headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("answers CORS preflights only for configured origins", async () => {
    const ok = await client.request("OPTIONS", "/api/v1/timeline", undefined, {
      origin: "https://allowed.example", "access-control-request-method": "GET", "access-control-request-headers": "authorization",
    });
    expect(ok.headers["access-control-allow-origin"]).toBe("https://allowed.example");
    expect(String(ok.headers["access-control-allow-methods"])).toContain("PATCH");
    const other = await client.request("OPTIONS", "/api/v1/timeline", undefined, {
      origin: "https://evil.example", "access-control-request-method": "GET",
    });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("reports health with the version", async () => {
    const res = await client.as(undefined).get("/health");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it("serves an OpenAPI 3.1 document generated from the route schemas", async () => {
    const res = await client.as(undefined).get("/api/v1/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    for (const path of ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout",
      "/api/v1/posts", "/api/v1/posts/{id}", "/api/v1/timeline", "/api/v1/users/{id}", "/api/v1/users/{id}/posts", "/health",
      "/api/v1/posts/{id}/thread", "/api/v1/posts/{id}/like", "/api/v1/posts/{id}/repost", "/api/v1/posts/{id}/likes", "/api/v1/posts/{id}/reposts",
      "/api/v1/users/{id}/follow", "/api/v1/users/{id}/followers", "/api/v1/users/{id}/following", "/api/v1/timeline/home", "/api/v1/tags/{tag}/posts"]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.components.schemas.Post.properties).toHaveProperty("author");
    expect(doc.components.schemas.Post.required).toEqual(expect.arrayContaining(["reply_to_id", "like_count", "liked", "mentions", "tags"]));
    expect(doc.components.schemas.Profile.required).toEqual(expect.arrayContaining(["followers_count", "following_count", "posts_count"]));
    expect(doc.paths["/api/v1/posts"].post.requestBody.content["application/json"].schema.additionalProperties).toBe(false);
  });
});

describe("health when the database is gone", () => {
  it("answers 503 with the contract's body, and API calls 503 unavailable", async () => {
    const server = await startTestServer("embedded");
    const { client } = await signUp(server.app, "lonely");
    await server.runtime.database.close();
    try {
      const res = await client.get("/health");
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: "error", message: "database connection failed" });
      const api = await client.get("/api/v1/timeline");
      expect(api.statusCode).toBe(503);
      expect(errorOf(api).code).toBe("unavailable");
      expect(api.headers["retry-after"]).toBeDefined();
    } finally {
      await server.app.close();
    }
  });
});

describe.skipIf(!process.env.NIOTEBOOK_TEST_DB_URL)("a PostgreSQL that turns connections away or goes read-only", () => {
  it("answers 503 unavailable with Retry-After, not 500, and recovers without a restart", async () => {
    const server = await startTestServer("postgres");
    const { client } = await signUp(server.app, "turned_away");
    const name = new URL(server.ctx.config.dbUrl!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env.NIOTEBOOK_TEST_DB_URL });
    await admin.connect();
    const dropConnections = () => admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
    const expectUnavailable = async (res: Awaited<ReturnType<TestClient["get"]>>) => {
      expect(res.statusCode, res.body).toBe(503);
      expect(errorOf(res).code).toBe("unavailable");
      expect(res.headers["retry-after"]).toBeDefined();
    };
    try {
      // A fail-over in progress: the database refuses new connections (SQLSTATE 55000).
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await dropConnections();
      await expectUnavailable(await client.get("/api/v1/timeline?limit=3&cursor=2999-01-01T00:00:00Z"));
      await expectUnavailable(await client.post("/api/v1/posts", { content: "refused" }));
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      // A standby promoted read-only: reads go on, writes are unavailable (SQLSTATE 25006).
      await admin.query(`ALTER DATABASE "${name}" SET default_transaction_read_only = on`);
      await dropConnections();
      await eventually(async () => expect((await client.get("/api/v1/users/me")).statusCode).toBe(200));
      await expectUnavailable(await client.post("/api/v1/posts", { content: "read-only" }));
      await admin.query(`ALTER DATABASE "${name}" RESET default_transaction_read_only`);
      await dropConnections();
      await eventually(async () => expect((await client.post("/api/v1/posts", { content: "writable again" })).statusCode).toBe(201), 5_000);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => {});
      await admin.end();
      await server.close();
    }
  });
});

describe("rate limits", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("embedded", { NIOTEBOOK_RATE_LIMIT: "on" });
    // A stopped clock: buckets refill only when the test says so, however slow the machine.
    server.ctx.rateLimiter = new TokenBuckets(1, () => 0);
  });
  afterAll(() => server.close());

  const from = (ip: string, extra: Record<string, string> = {}) => (path: string, method: "GET" | "POST" = "GET", body?: unknown) =>
    server.app.inject({ method, url: path, remoteAddress: ip, headers: { "content-type": "application/json", ...extra }, ...(body ? { payload: JSON.stringify(body) } : {}) });

  it("gives the auth category a burst of 5, then 429 with Retry-After", async () => {
    const call = from("10.0.0.1");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call("/api/v1/auth/login", "POST", { email: "a@b.io", password: "password1" })).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const res = await call("/api/v1/auth/login", "POST", { email: "a@b.io", password: "password1" });
    expect(errorOf(res).code).toBe("rate_limited");
    expect(res.headers["retry-after"]).toBe("6");
    // Another client has its own bucket; /health is never limited.
    expect((await from("10.0.0.2")("/api/v1/auth/login", "POST", { email: "a@b.io", password: "password1" })).statusCode).toBe(401);
    for (let i = 0; i < 50; i++) expect((await call("/health")).statusCode).toBe(200);
  });

  it("gives reads a burst of 30 and ignores X-Forwarded-For from untrusted peers", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push((await from("10.0.0.3", { "x-forwarded-for": `192.0.2.${i}` })("/api/v1/timeline")).statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it("counts a percent-encoded path against the bucket of the route that serves it", async () => {
    const call = from("10.0.0.4");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const path = ["/%61pi/v1/auth/login", "/api/v1/%61uth/login", "/api/v1/auth/%6Cogin"][i % 3]!;
      statuses.push((await call(path, "POST", { email: "a@b.io", password: "password1" })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await call("/api/v1/auth/login", "POST", { email: "a@b.io", password: "password1" })).statusCode).toBe(429);
  });

  it("limits IPv6 clients per /64", async () => {
    for (let i = 0; i < 30; i++) await from(`2001:db8:1:2::${i.toString(16)}`)("/api/v1/timeline");
    expect((await from("2001:db8:1:2:ffff::1")("/api/v1/timeline")).statusCode).toBe(429);
    expect((await from("2001:db8:1:3::1")("/api/v1/timeline")).statusCode).toBe(401);
  });
});

describe("trusted proxies", () => {
  it("reads the rightmost untrusted X-Forwarded-For entry only behind a trusted proxy", async () => {
    const server = await startTestServer("embedded", { NIOTEBOOK_RATE_LIMIT: "on", NIOTEBOOK_TRUST_PROXY: "10.9.0.0/16" });
    server.ctx.rateLimiter = new TokenBuckets(1, () => 0);
    try {
      const via = (client: string, spoof = "203.0.113.99") => server.app.inject({
        method: "POST", url: "/api/v1/auth/logout", remoteAddress: "10.9.0.5",
        headers: { "content-type": "application/json", "x-forwarded-for": `${spoof}, ${client}` }, payload: '{"refresh_token":"x"}',
      });
      for (let i = 0; i < 5; i++) expect((await via("198.51.100.1", `203.0.113.${i}`)).statusCode).toBe(204);
      expect((await via("198.51.100.1")).statusCode).toBe(429);
      expect((await via("198.51.100.2")).statusCode).toBe(204);
    } finally {
      await server.close();
    }
  });
});

describe("requests the HTTP parser refuses", () => {
  let server: TestServer;
  let port: number;
  let log = "";
  beforeAll(async () => {
    server = await startTestServer("embedded", {}, { logStream: new Writable({ write(chunk, _enc, done) { log += String(chunk); done(); } }) });
    await server.app.listen({ host: "127.0.0.1", port: 0 });
    port = (server.app.server.address() as { port: number }).port;
  });
  afterAll(() => server.close());

  /** Writes raw bytes and reads until the server closes the connection. */
  const raw = (bytes: string) => new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(bytes));
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk)).on("close", () => resolve(text)).on("error", reject);
  });

  it("answers a malformed request and over-long headers in the envelope, then closes", async () => {
    for (const [request, status] of [
      ["FOO /api/v1/timeline HTTP/1.1\r\nHost: x\r\n\r\n", 400],
      ["GET /api/v1/timeline HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400],
      [`GET /api/v1/timeline?cursor=${"A".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ] as const) {
      const answer = await raw(request);
      const [head, body] = answer.split("\r\n\r\n");
      expect(head!.split("\r\n")[0], request.slice(0, 40)).toBe(`HTTP/1.1 ${status} ${status === 400 ? "Bad Request" : "Request Header Fields Too Large"}`);
      expect(head).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
      expect(head).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/);
      expect(head).toMatch(/\r\nConnection: close/);
      const error = (JSON.parse(body!) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("validation_error");
      expect(error.message.length).toBeGreaterThan(0);
    }
    // Each is in the log like any request, with none of what could not be parsed.
    const lines = log.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
    expect(lines.map((l) => l.status)).toEqual([400, 400, 431]);
    expect(lines[2]).toMatchObject({ route: "(unparsed)", path: "?", ip: "127.0.0.1" });
    expect(log).not.toContain("AAAAAAAAAA");
  });
});
