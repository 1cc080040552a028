import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessTokens } from "../../src/server/auth/tokens.js";
import { createHmac } from "node:crypto";
import { sql } from "kysely";
import { consumeRefreshToken, insertRefreshToken, revokeSession } from "../../src/server/auth/queries.js";
import { hashRefreshToken } from "../../src/server/auth/tokens.js";
import { BACKENDS, TEST_SECRET, TestClient, errorOf, eventually, signUp, startTestServer, type TestServer } from "./harness.js";

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe.each(BACKENDS)("auth on %s", (backend) => {
  let server: TestServer;
  let anon: TestClient;
  beforeAll(async () => {
    server = await startTestServer(backend, { NIOTEBOOK_REFRESH_REUSE_GRACE: "1s" });
    anon = new TestClient(server.app);
  });
  afterAll(() => server.close());

  describe("register", () => {
    it("creates an account: 201 with user and tokens, username lower-cased, display name as typed", async () => {
      const res = await anon.post("/api/v1/auth/register", { username: "Ada_Lovelace", email: "Ada@Example.COM", password: "correct horse" });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(["tokens", "user"]);
      expect(Object.keys(body.user).sort()).toEqual(["bio", "created_at", "display_name", "followers_count", "following_count", "id", "posts_count", "username"]);
      expect(body.user).toMatchObject({ username: "ada_lovelace", display_name: "Ada_Lovelace", bio: "" });
      expect(body.user.created_at).toMatch(TIMESTAMP);
      expect(Object.keys(body.tokens).sort()).toEqual(["access_token", "expires_at", "refresh_token"]);
      expect(body.tokens.expires_at).toMatch(TIMESTAMP);
      expect(Buffer.from(body.tokens.refresh_token, "base64url").length).toBeGreaterThanOrEqual(32);
      expect(res.body).not.toContain("example.com");
      expect(res.body.toLowerCase()).not.toContain("argon2");
    });

    it("stores an argon2id PHC hash with OWASP parameters, never the password", async () => {
      await signUp(server.app, "hashcheck", "s3cret-password");
      const row = await server.ctx.db.selectFrom("users").select("password_hash").where("username", "=", "hashcheck").executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect(row.password_hash).not.toContain("s3cret");
    });

    it.each([
      [{ username: "ab", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "abcdefghijklmnop", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "a-b-c", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "_abc", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "abc_", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "a__bc", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "Admin", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "me", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "ünïcode", email: "x@y.io", password: "password1" }, "username"],
      [{ username: "goodname", email: "no-at-sign", password: "password1" }, "email"],
      [{ username: "goodname", email: "a@nodot", password: "password1" }, "email"],
      [{ username: "goodname", email: "a b@c.io", password: "password1" }, "email"],
      [{ username: "goodname", email: "a@@c.io", password: "password1" }, "email"],
      [{ username: "goodname", email: `${"a".repeat(250)}@c.io`, password: "password1" }, "email"],
      [{ username: "goodname", email: "x@y.io", password: "short" }, "password"],
      [{ username: "goodname", email: "x@y.io", password: "p".repeat(129) }, "password"],
      [{ username: "goodname", email: "x@y.io", password: "pass\u0000word" }, "password"],
      [{ username: "goodname", email: "x@y.io", password: "pass\ud800word" }, "password"],
      [{ username: "x", email: "bad", password: "bad" }, "username"],
      [{ password: "bad", email: "bad", username: "goodname" }, "email"],
    ])("refuses %j with validation_error on %s", async (body, field) => {
      const res = await anon.post("/api/v1/auth/register", body);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: "validation_error", field });
    });

    it("counts password length in characters: 8 emoji pass, 128 characters pass", async () => {
      expect((await anon.post("/api/v1/auth/register", { username: "emojipw", email: "emojipw@x.io", password: "🎉".repeat(8) })).statusCode).toBe(201);
      expect((await anon.post("/api/v1/auth/register", { username: "longpw", email: "longpw@x.io", password: "é".repeat(128) })).statusCode).toBe(201);
      expect((await anon.post("/api/v1/auth/register", { username: "shortpw", email: "shortpw@x.io", password: "🎉".repeat(7) })).statusCode).toBe(400);
    });

    it("refuses an e-mail that lower-cases past 254 characters with 400, not a database error", async () => {
      const res = await anon.post("/api/v1/auth/register", { username: "dotted", email: `${"İ".repeat(124)}@ex.com`, password: "password1" });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).field).toBe("email");
    });

    it("reports structural errors before rule errors, naming the property", async () => {
      let res = await anon.post("/api/v1/auth/register", { username: "x", email: "bad", password: "bad", extra: 1 });
      expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "extra" });
      res = await anon.post("/api/v1/auth/register", { username: "x", email: "bad" });
      expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "password" });
      res = await anon.post("/api/v1/auth/register", { username: 123, email: "a@b.io", password: "password1" });
      expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "username" });
      res = await anon.post("/api/v1/auth/register", "[1,2]");
      expect(errorOf(res)).toMatchObject({ code: "validation_error" });
    });

    it("answers 409 conflict naming the field, case-insensitively, username first", async () => {
      await signUp(server.app, "taken_name");
      let res = await anon.post("/api/v1/auth/register", { username: "TAKEN_name", email: "other@x.io", password: "password1" });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({ code: "conflict", field: "username" });
      res = await anon.post("/api/v1/auth/register", { username: "fresh_name", email: "TAKEN_NAME@example.com", password: "password1" });
      expect(errorOf(res)).toMatchObject({ code: "conflict", field: "email" });
      res = await anon.post("/api/v1/auth/register", { username: "taken_name", email: "taken_name@example.com", password: "password1" });
      expect(errorOf(res)).toMatchObject({ code: "conflict", field: "username" });
    });

    it("lets exactly one of many concurrent sign-ups for one username win", async () => {
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) =>
        anon.post("/api/v1/auth/register", { username: "racer", email: `racer${i}@x.io`, password: "password1" })));
      expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
      expect(results.filter((r) => r.statusCode === 409)).toHaveLength(11);
    });
  });

  describe("login", () => {
    it("logs in with a case-insensitive e-mail", async () => {
      const { email, password, auth } = await signUp(server.app, "loginuser");
      const res = await anon.post("/api/v1/auth/login", { email: email.toUpperCase(), password });
      expect(res.statusCode).toBe(200);
      expect(res.json().user).toEqual(auth.user);
      expect(res.json().tokens.access_token).toBeTypeOf("string");
    });

    it("gives the same 401 for a wrong password and an unknown e-mail", async () => {
      const { email } = await signUp(server.app, "loginfail");
      const wrong = await anon.post("/api/v1/auth/login", { email, password: "wrong-password" });
      const unknown = await anon.post("/api/v1/auth/login", { email: "nobody@nowhere.io", password: "wrong-password" });
      for (const res of [wrong, unknown]) {
        expect(res.statusCode).toBe(401);
        expect(errorOf(res)).toEqual({ code: "unauthorized", message: "Invalid email or password" });
      }
    });

    it("refuses malformed bodies with 400", async () => {
      expect(errorOf(await anon.post("/api/v1/auth/login", { email: "a@b.io" }))).toMatchObject({ code: "validation_error", field: "password" });
      expect(errorOf(await anon.post("/api/v1/auth/login", { email: "a@b.io", password: 5 }))).toMatchObject({ field: "password" });
    });
  });

  describe("access tokens", () => {
    it("carries sub, username, iat and exp, HS256", async () => {
      const { auth } = await signUp(server.app, "claims");
      const [header, payload] = auth.tokens.access_token.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p!, "base64url").toString()));
      expect(header.alg).toBe("HS256");
      expect(Object.keys(payload).sort()).toEqual(["exp", "iat", "sub", "username"]);
      expect(payload).toMatchObject({ sub: auth.user.id, username: "claims" });
      expect(payload.exp - payload.iat).toBe(24 * 3600);
    });

    const forge = (header: object, payload: object, key = TEST_SECRET, alg = "sha256") => {
      const h = Buffer.from(JSON.stringify(header)).toString("base64url");
      const p = Buffer.from(JSON.stringify(payload)).toString("base64url");
      const sig = alg === "none" ? "" : createHmac(alg, key).update(`${h}.${p}`).digest("base64url");
      return `${h}.${p}.${sig}`;
    };

    it("refuses alg none, other algorithms, bad signatures, tampering and refresh tokens", async () => {
      const { auth } = await signUp(server.app, "attacker");
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: auth.user.id, username: "attacker", iat: now, exp: now + 3600 };
      const [h, , s] = auth.tokens.access_token.split(".");
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, username: "admin" })).toString("base64url")}.${s}`;
      // The signature's last character carries two unused bits: another spelling of the same bytes.
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const respelled = `${auth.tokens.access_token.slice(0, -1)}${alphabet[alphabet.indexOf(s!.at(-1)!) ^ 1]}`;
      const tokens = [
        forge({ alg: "none", typ: "JWT" }, claims, "", "none"),
        forge({ alg: "HS512", typ: "JWT" }, claims, TEST_SECRET, "sha512"),
        forge({ alg: "HS256", typ: "JWT" }, claims, "another-secret-another-secret-0123456789"),
        tampered,
        respelled,
        auth.tokens.refresh_token,
        "garbage",
      ];
      for (const token of tokens) {
        const res = await anon.as(token).get("/api/v1/timeline");
        expect(res.statusCode, token).toBe(401);
        expect(errorOf(res).code).toBe("unauthorized");
      }
      expect((await anon.as(auth.tokens.access_token).get("/api/v1/timeline")).statusCode).toBe(200);
    });

    it("refuses an access token presented as a refresh token, and a token whose user is unknown", async () => {
      const { auth } = await signUp(server.app, "swapper");
      expect(errorOf(await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.access_token })).code).toBe("unauthorized");
      const stranger = new AccessTokens(TEST_SECRET, 60_000).issue("00000000-0000-4000-8000-000000000000", "nobody").token;
      expect(errorOf(await anon.as(stranger).get("/api/v1/users/me")).code).toBe("unauthorized");
    });

    it("says token_expired for an expired token and unauthorized with none", async () => {
      const { auth } = await signUp(server.app, "expired");
      const past = Math.floor(Date.now() / 1000) - 100;
      const token = new AccessTokens(TEST_SECRET, 10_000).issue(auth.user.id, "expired", 0, (past - 10) * 1000).token;
      expect(errorOf(await anon.as(token).get("/api/v1/timeline")).code).toBe("token_expired");
      expect(errorOf(await anon.get("/api/v1/timeline")).code).toBe("unauthorized");
      expect(errorOf(await anon.get("/api/v1/timeline").then(() => anon.request("GET", "/api/v1/timeline", undefined, { authorization: "Basic abc" }))).code).toBe("unauthorized");
    });

    it("refuses the token of a user who no longer exists", async () => {
      const { client, auth } = await signUp(server.app, "ghost");
      await server.ctx.db.deleteFrom("users").where("id", "=", auth.user.id).execute();
      const res = await client.get("/api/v1/users/me");
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe("unauthorized");
    });

    it("refuses a known user's token within a second of the row going, however it went", async () => {
      const { client, auth } = await signUp(server.app, "ghost2");
      await eventually(() => expect(server.ctx.knownUsers.isHearing).toBe(true));
      expect((await client.get("/api/v1/users/me")).statusCode).toBe(200);
      expect(server.ctx.knownUsers.has(auth.user.id)).toBe(true); // now answered from memory
      await sql`DELETE FROM users WHERE id = ${auth.user.id}`.execute(server.ctx.db);
      await eventually(async () => expect((await client.get("/api/v1/timeline")).statusCode).toBe(401), 1_000);
      expect((await client.post("/api/v1/posts", { content: "still here?" })).statusCode).toBe(401);
    });

    it.skipIf(backend !== "postgres")("stops answering from memory while its LISTEN connection is down, and listens again", async () => {
      const { client, auth } = await signUp(server.app, "ghost3");
      await eventually(() => expect(server.ctx.knownUsers.isHearing).toBe(true));
      expect((await client.get("/api/v1/users/me")).statusCode).toBe(200);
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN%'`.execute(server.ctx.db);
      await eventually(() => expect(server.ctx.knownUsers.isHearing).toBe(false));
      expect(server.ctx.knownUsers.has(auth.user.id)).toBe(false);
      await eventually(() => expect(server.ctx.knownUsers.isHearing).toBe(true), 5_000);
      expect((await client.get("/api/v1/users/me")).statusCode).toBe(200);
      await sql`DELETE FROM users WHERE id = ${auth.user.id}`.execute(server.ctx.db);
      await eventually(async () => expect((await client.get("/api/v1/users/me")).statusCode).toBe(401), 1_000);
    });
  });

  describe("refresh and logout", () => {
    it("rotates: a new pair, and the old token is single use", async () => {
      const { auth } = await signUp(server.app, "rotator");
      const first = await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token });
      expect(first.statusCode).toBe(200);
      expect(Object.keys(first.json())).toEqual(["tokens"]);
      const next = first.json().tokens;
      expect(next.refresh_token).not.toBe(auth.tokens.refresh_token);
      expect((await anon.as(next.access_token).get("/api/v1/users/me")).statusCode).toBe(200);
      const again = await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token });
      expect(errorOf(again).code).toBe("unauthorized");
      // Within the grace period nothing is revoked: the new token still works.
      expect((await anon.post("/api/v1/auth/refresh", { refresh_token: next.refresh_token })).statusCode).toBe(200);
    });

    it("stores refresh tokens only as SHA-256 hashes", async () => {
      const { auth } = await signUp(server.app, "hashstore");
      const rows = await server.ctx.db.selectFrom("refresh_tokens").select("token_hash").where("user_id", "=", auth.user.id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0]!.token_hash).not.toContain(auth.tokens.refresh_token);
    });

    it("lets at most one of two concurrent refreshes with one token succeed", async () => {
      const { auth } = await signUp(server.app, "concurrent");
      const results = await Promise.all(Array.from({ length: 5 }, () =>
        anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token })));
      expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
      for (const r of results.filter((r) => r.statusCode !== 200)) expect(errorOf(r).code).toBe("unauthorized");
    });

    it("treats reuse after the grace period as theft: every session is revoked", async () => {
      const { auth, email, password } = await signUp(server.app, "victim");
      const other = (await anon.post("/api/v1/auth/login", { email, password })).json().tokens;
      const rotated = (await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token })).json().tokens;
      await new Promise((r) => setTimeout(r, 1_200));
      const theft = await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token });
      expect(errorOf(theft).code).toBe("unauthorized");
      for (const token of [rotated.refresh_token, other.refresh_token]) {
        expect(errorOf(await anon.post("/api/v1/auth/refresh", { refresh_token: token })).code).toBe("unauthorized");
      }
    });

    it("says unauthorized for an unknown token and token_expired for an expired one", async () => {
      expect(errorOf(await anon.post("/api/v1/auth/refresh", { refresh_token: "not-a-token" })).code).toBe("unauthorized");
      const { auth } = await signUp(server.app, "expiring");
      await server.ctx.db.updateTable("refresh_tokens").set({ expires_at: "2000-01-01T00:00:00Z" }).where("user_id", "=", auth.user.id).execute();
      const res = await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe("token_expired");
    });

    it("logout: 204, the token stops working without triggering the theft rule; unknown tokens also 204", async () => {
      const { auth, email, password } = await signUp(server.app, "leaver");
      const other = (await anon.post("/api/v1/auth/login", { email, password })).json().tokens;
      const res = await anon.post("/api/v1/auth/logout", { refresh_token: auth.tokens.refresh_token });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe("");
      await new Promise((r) => setTimeout(r, 1_200));
      expect(errorOf(await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token })).code).toBe("unauthorized");
      expect((await anon.post("/api/v1/auth/refresh", { refresh_token: other.refresh_token })).statusCode).toBe(200);
      expect((await anon.post("/api/v1/auth/logout", { refresh_token: "never-issued" })).statusCode).toBe(204);
      expect(errorOf(await anon.post("/api/v1/auth/logout", {})).field).toBe("refresh_token");
    });

    it.skipIf(backend !== "postgres")("logout racing a refresh also revokes the token that refresh issued", async () => {
      const { auth } = await signUp(server.app, "logout_racer");
      const first = hashRefreshToken(auth.tokens.refresh_token), issued = hashRefreshToken("issued-while-logging-out");
      let commit!: () => void;
      const committing = new Promise<void>((resolve) => (commit = resolve));
      let inserted!: () => void;
      const hasInserted = new Promise<void>((resolve) => (inserted = resolve));
      // A refresh in flight: the first token consumed (its row locked), the next one inserted, not yet committed.
      const refreshing = server.ctx.db.transaction().execute(async (tx) => {
        const owner = await consumeRefreshToken(tx, first);
        await insertRefreshToken(tx, owner!.user_id, owner!.session_id, issued, 60_000);
        inserted();
        await committing;
      });
      await hasInserted;
      const loggingOut = revokeSession(server.ctx.db, first); // waits for the refresh's row lock
      await new Promise((resolve) => setTimeout(resolve, 200));
      commit();
      await refreshing;
      await loggingOut;
      const row = await server.ctx.db.selectFrom("refresh_tokens").select("revoked_at").where("token_hash", "=", issued).executeTakeFirstOrThrow();
      expect(row.revoked_at).not.toBeNull();
    });

    it("a process of the previous version, which names no session, can still issue refresh tokens", async () => {
      const { auth } = await signUp(server.app, "old_process");
      await server.ctx.db.insertInto("refresh_tokens")
        .values({ user_id: auth.user.id, token_hash: hashRefreshToken("from-an-old-process"), expires_at: "2999-01-01T00:00:00Z" }).execute();
      const res = await anon.post("/api/v1/auth/refresh", { refresh_token: "from-an-old-process" });
      expect(res.statusCode).toBe(200);
    });

    it("logout with an already rotated token ends that whole session, and a later copy of it is not theft", async () => {
      const { auth, email, password } = await signUp(server.app, "stale_leaver");
      const other = (await anon.post("/api/v1/auth/login", { email, password })).json().tokens;
      const rotated = (await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token })).json().tokens;
      expect((await anon.post("/api/v1/auth/logout", { refresh_token: auth.tokens.refresh_token })).statusCode).toBe(204);
      expect(errorOf(await anon.post("/api/v1/auth/refresh", { refresh_token: rotated.refresh_token })).code).toBe("unauthorized");
      await new Promise((r) => setTimeout(r, 1_200)); // past the reuse grace period
      const stale = errorOf(await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token }));
      expect(stale.code).toBe("unauthorized");
      expect(stale.message).not.toMatch(/every session/);
      expect((await anon.post("/api/v1/auth/refresh", { refresh_token: other.refresh_token })).statusCode).toBe(200);
    });
  });
});
