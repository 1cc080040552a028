// Hostile input against every route: arbitrary methods, paths, query strings, headers and
// bodies (invalid UTF-8, U+0000, lone surrogates, huge and deeply nested JSON). The server
// never answers 500, never dies, and every error body is the contract's envelope.
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "./harness.js";

const ROUTES = [
  "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout",
  "/api/v1/posts", "/api/v1/posts/{id}", "/api/v1/timeline", "/api/v1/users/{id}", "/api/v1/users/{id}/posts",
  "/health", "/api/v1/openapi.json", "/api/v1/{id}",
  "/api/v1/posts/{id}/thread", "/api/v1/posts/{id}/like", "/api/v1/posts/{id}/repost", "/api/v1/posts/{id}/likes",
  "/api/v1/posts/{id}/reposts", "/api/v1/users/{id}/follow", "/api/v1/users/{id}/followers", "/api/v1/users/{id}/following",
  "/api/v1/timeline/home", "/api/v1/tags/{id}/posts",
];

const segment = fc.oneof(
  fc.constantFrom("me", "@someone", "@", "00000000-0000-4000-8000-000000000000", "%00", "%ff", "%E2%82", "..", "%2F", "a".repeat(300)),
  fc.string({ unit: "binary", maxLength: 20 }).map(encodeURIComponent),
  fc.uuid(),
);
const queryValue = fc.oneof(fc.string({ unit: "binary", maxLength: 30 }).map(encodeURIComponent), fc.integer().map(String),
  fc.constantFrom("", "%00", "2026-01-01T00:00:00Z", "9999-99-99T99:99:99Z", "1e400", "NaN", "%ff"));
const query = fc.array(fc.tuple(fc.constantFrom("limit", "cursor", "x", "limit[]", "__proto__"), queryValue), { maxLength: 3 })
  .map((pairs) => (pairs.length ? "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&") : ""));

const nested = fc.integer({ min: 1, max: 1500 }).map((depth) => "[".repeat(depth) + "]".repeat(depth));
const hostileStrings = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.constantFrom("\u0000", "\ud800", "\udfff x", "🎉".repeat(141), "\r\n".repeat(50)));
const jsonBody = fc.oneof(
  fc.record({
    username: hostileStrings, email: hostileStrings, password: hostileStrings, content: hostileStrings,
    display_name: hostileStrings, bio: hostileStrings, refresh_token: hostileStrings, reply_to_id: hostileStrings,
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  nested,
);
const body = fc.oneof(
  jsonBody,
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), "x".repeat(5000), "", "{", "nul\u0000l"),
);
const contentType = fc.constantFrom(undefined, "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "APPLICATION/JSON", "multipart/form-data; boundary=x", "");

function expectContractAnswer(res: LightMyRequestResponse, label: string): void {
  expect(res.statusCode, label).not.toBe(500);
  expect(res.statusCode, label).toBeLessThan(500);
  expect(res.headers["x-content-type-options"], label).toBe("nosniff");
  if (res.statusCode >= 400 && res.body.length > 0 && !label.includes("/health")) {
    const parsed = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
    expect(Object.keys(parsed), label).toEqual(["error"]);
    expect(typeof parsed.error!.code, label).toBe("string");
    expect(typeof parsed.error!.message, label).toBe("string");
    if (parsed.error!.field !== undefined) expect(typeof parsed.error!.field, label).toBe("string");
  }
}

describe("hostile input", () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer("embedded");
    token = (await signUp(server.app, "fuzzer")).auth.tokens.access_token;
  });
  afterAll(() => server.close());

  it("never answers 500 and always answers in the error envelope", async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"),
      fc.constantFrom(...ROUTES), segment, query, fc.option(body, { nil: undefined }), contentType,
      fc.constantFrom("valid", "none", "garbage", "Bearer", "Bearer \u00ff"),
      async (method, route, id, qs, payload, type, auth) => {
        const url = route.replace("{id}", id) + qs;
        const headers: Record<string, string> = {};
        if (type !== undefined) headers["content-type"] = type;
        if (auth === "valid") headers.authorization = `Bearer ${token}`;
        else if (auth !== "none") headers.authorization = auth;
        let res: LightMyRequestResponse;
        try {
          res = await server.app.inject({ method: method as "GET", url, headers, ...(payload !== undefined && method !== "GET" && method !== "HEAD" ? { payload } : {}) });
        } catch (error) {
          // light-my-request refuses some header values before they reach the server.
          if (/Invalid character|invalid header|ERR_INVALID_CHAR/i.test(String(error))) return;
          throw error;
        }
        expectContractAnswer(res, `${method} ${url}`);
      },
    ), { numRuns: 2000 });
    expect((await server.app.inject({ url: "/health" })).statusCode).toBe(200);
  }, 120_000);

  it("stores nothing from refused writes", async () => {
    const before = await server.ctx.db.selectFrom("posts").select(({ fn }) => fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    await fc.assert(fc.asyncProperty(hostileStrings, async (content) => {
      const res = await server.app.inject({
        method: "POST", url: "/api/v1/posts", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        payload: JSON.stringify({ content: content + "\u0000" }),
      });
      expect(res.statusCode).toBe(400);
    }), { numRuns: 100 });
    const after = await server.ctx.db.selectFrom("posts").select(({ fn }) => fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
