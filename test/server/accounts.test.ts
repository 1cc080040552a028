// Accounts (social.md, "Accounts" and "SSH keys"): password change, suspension, deletion,
// export, registration modes and invites, SSH keys and SSH log-in — on both databases.
import { sql } from "kysely";
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountExport, AuthResponse } from "../../src/api/index.js";
import { buildApp } from "../../src/server/app.js";
import { loadConfig } from "../../src/server/config.js";
import { createAppContext } from "../../src/server/context.js";
import { openRuntime } from "../../src/server/runtime.js";
import { createInvite } from "../../src/server/admin/invites.js";
import { BACKENDS, TestClient, errorOf, eventually, signUp, startTestServer, type TestServer } from "./harness.js";
import { generateKey, sshKeygenSign, tempDir } from "../support/ssh-tools.js";

/**
 * Every uuid column of every table (users.id aside): those that hold user ids, by foreign key
 * or not, and others (post ids), where the user's id can never match — so none is missed.
 */
async function userColumns(server: TestServer): Promise<Array<{ table: string; column: string }>> {
  const rows = await sql<{ table_name: string; column_name: string }>`
    SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = current_schema() AND c.data_type = 'uuid' AND NOT (c.table_name = 'users' AND c.column_name = 'id')
    ORDER BY 1, 2`.execute(server.ctx.db);
  return rows.rows.map((r) => ({ table: r.table_name, column: r.column_name }));
}

async function rowsOfUser(server: TestServer, userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { table, column } of await userColumns(server)) {
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${userId}`.execute(server.ctx.db);
    counts[`${table}.${column}`] = r.rows[0]!.n;
  }
  return counts;
}

describe.each(BACKENDS)("accounts on %s", (backend) => {
  let server: TestServer;
  let anon: TestClient;
  beforeAll(async () => {
    server = await startTestServer(backend);
    anon = new TestClient(server.app);
    await eventually(() => expect(server.ctx.knownUsers.isHearing).toBe(true));
  });
  afterAll(() => server.close());

  describe("password change", () => {
    it("answers a fresh pair and refuses every earlier token, access and refresh", async () => {
      const { client, auth, email } = await signUp(server.app, "pwchange");
      const other = (await anon.post("/api/v1/auth/login", { email, password: "password123" })).json() as AuthResponse;
      expect((await client.get("/api/v1/users/me")).statusCode).toBe(200); // cached now
      const res = await client.post("/api/v1/users/me/password", { current_password: "password123", new_password: "newpassword456" });
      expect(res.statusCode).toBe(200);
      const { tokens } = res.json() as AuthResponse;
      for (const old of [auth.tokens.access_token, other.tokens.access_token]) {
        const r = await client.as(old).get("/api/v1/users/me");
        expect(r.statusCode).toBe(401);
        expect(errorOf(r).code).toBe("unauthorized");
      }
      for (const old of [auth.tokens.refresh_token, other.tokens.refresh_token]) {
        expect((await anon.post("/api/v1/auth/refresh", { refresh_token: old })).statusCode).toBe(401);
      }
      expect((await client.as(tokens.access_token).get("/api/v1/users/me")).statusCode).toBe(200);
      expect((await anon.post("/api/v1/auth/refresh", { refresh_token: tokens.refresh_token })).statusCode).toBe(200);
      expect((await anon.post("/api/v1/auth/login", { email, password: "password123" })).statusCode).toBe(401);
      expect((await anon.post("/api/v1/auth/login", { email, password: "newpassword456" })).statusCode).toBe(200);
    });

    it("403s a wrong current password (field current_password) and 400s a short new one, changing nothing", async () => {
      const { client, email } = await signUp(server.app, "pwwrong");
      const wrong = await client.post("/api/v1/users/me/password", { current_password: "nope-nope", new_password: "newpassword456" });
      expect(wrong.statusCode).toBe(403);
      expect(errorOf(wrong)).toMatchObject({ code: "forbidden", field: "current_password" });
      const short = await client.post("/api/v1/users/me/password", { current_password: "password123", new_password: "short" });
      expect(short.statusCode).toBe(400);
      expect(errorOf(short)).toMatchObject({ code: "validation_error", field: "new_password" });
      expect((await client.get("/api/v1/users/me")).statusCode).toBe(200);
      expect((await anon.post("/api/v1/auth/login", { email, password: "password123" })).statusCode).toBe(200);
    });

    it.skipIf(backend !== "postgres")("is heard by another server process within a second", async () => {
      const runtime2 = await openRuntime(server.ctx.config);
      const ctx2 = createAppContext(server.ctx.config, runtime2.database, runtime2.jwtSecret);
      const app2 = await buildApp(ctx2);
      try {
        await eventually(() => expect(ctx2.knownUsers.isHearing).toBe(true), 5_000);
        const { client, auth } = await signUp(server.app, "pwtwo");
        const there = client.as(auth.tokens.access_token);
        const remote = new TestClient(app2, auth.tokens.access_token);
        expect((await remote.get("/api/v1/users/me")).statusCode).toBe(200);
        expect(ctx2.knownUsers.has(auth.user.id)).toBe(true);
        expect((await there.post("/api/v1/users/me/password", { current_password: "password123", new_password: "newpassword456" })).statusCode).toBe(200);
        await eventually(async () => expect((await remote.get("/api/v1/users/me")).statusCode).toBe(401), 1_000);
      } finally {
        await app2.close();
        await runtime2.close();
      }
    });
  });

  describe("suspension", () => {
    it("refuses tokens and log-in (after a correct password only) with 403 suspended, and hides the posts everywhere", async () => {
      const { client, auth, email } = await signUp(server.app, "suspectx");
      const watcher = (await signUp(server.app, "watcherx")).client;
      const post = (await client.post("/api/v1/posts", { content: "soon hidden" })).json().post;
      expect((await watcher.get("/api/v1/timeline")).json().posts.map((p: { id: string }) => p.id)).toContain(post.id);
      await sql`UPDATE users SET suspended_at = now() WHERE id = ${auth.user.id}`.execute(server.ctx.db);
      await eventually(async () => {
        const res = await client.get("/api/v1/users/me");
        expect(res.statusCode).toBe(403);
        expect(errorOf(res)).toMatchObject({ code: "suspended", message: "This account is suspended" });
      }, 1_000);
      expect((await anon.post("/api/v1/auth/refresh", { refresh_token: auth.tokens.refresh_token })).statusCode).toBe(403);
      expect((await anon.post("/api/v1/auth/login", { email, password: "wrong-password" })).statusCode).toBe(401);
      const login = await anon.post("/api/v1/auth/login", { email, password: "password123" });
      expect(login.statusCode).toBe(403);
      expect(errorOf(login).code).toBe("suspended");
      await eventually(async () => {
        expect((await watcher.get("/api/v1/timeline")).json().posts.map((p: { id: string }) => p.id)).not.toContain(post.id);
      }, 1_000);
      expect((await watcher.get(`/api/v1/posts/${post.id}`)).statusCode).toBe(404);
      expect((await watcher.get("/api/v1/users/@suspectx/posts")).json().posts).toEqual([]);

      await sql`UPDATE users SET suspended_at = NULL WHERE id = ${auth.user.id}`.execute(server.ctx.db);
      await eventually(async () => expect((await client.get("/api/v1/users/me")).statusCode).toBe(200), 1_000);
      expect((await watcher.get(`/api/v1/posts/${post.id}`)).statusCode).toBe(200);
      await eventually(async () => {
        expect((await watcher.get("/api/v1/timeline")).json().posts.map((p: { id: string }) => p.id)).toContain(post.id);
      }, 1_000);
    });
  });

  describe("deletion and export", () => {
    it("exports every post, then deletion leaves no row of the user, table by table, and frees name and e-mail", async () => {
      const { client, auth, email } = await signUp(server.app, "leaver");
      const friend = await signUp(server.app, "friendx");
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await client.post("/api/v1/posts", { content: `post ${i}` })).json().post.id);
      const dir = tempDir("niotebook-acct-");
      try {
        const key = generateKey(dir, "k", "ed25519");
        expect((await client.post("/api/v1/users/me/keys", { public_key: readFileSync(`${key}.pub`, "utf8") })).statusCode).toBe(201);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const exported = await client.get("/api/v1/users/me/export");
      expect(exported.statusCode).toBe(200);
      const archive = exported.json() as AccountExport;
      expect(archive.profile).toMatchObject({ id: auth.user.id, username: "leaver", email });
      expect(archive.posts.map((p) => p.id).sort()).toEqual([...ids].sort());
      expect(archive.posts.find((p) => p.id === ids[3])?.content).toBe("post 3");
      expect(archive.ssh_keys).toHaveLength(1);
      for (const k of ["following", "followers", "likes", "blocks", "mutes"] as const) expect(Array.isArray(archive[k])).toBe(true);

      const wrong = await client.request("DELETE", "/api/v1/users/me", { password: "not-it-at-all" });
      expect(wrong.statusCode).toBe(403);
      expect(errorOf(wrong)).toMatchObject({ code: "forbidden", field: "password" });
      const before = await rowsOfUser(server, auth.user.id);
      expect(before["posts.author_id"]).toBe(7);
      expect(before["ssh_keys.user_id"]).toBe(1);

      const res = await client.request("DELETE", "/api/v1/users/me", { password: "password123" });
      expect(res.statusCode).toBe(204);
      expect((await client.get("/api/v1/users/me")).statusCode).toBe(401);
      expect((await friend.client.get("/api/v1/users/@leaver")).statusCode).toBe(404);
      const timeline = (await friend.client.get("/api/v1/timeline")).json().posts as Array<{ id: string }>;
      expect(timeline.filter((p) => ids.includes(p.id))).toEqual([]);
      const after = await rowsOfUser(server, auth.user.id);
      expect(Object.keys(after)).toEqual(expect.arrayContaining(["posts.author_id", "refresh_tokens.user_id", "ssh_keys.user_id", "reports.reporter_id", "reports.user_id"]));
      expect(Object.entries(after).filter(([, n]) => n !== 0)).toEqual([]);
      const users = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users WHERE id = ${auth.user.id}`.execute(server.ctx.db);
      expect(users.rows[0]!.n).toBe(0);
      // The name and e-mail are free again.
      const again = await anon.post("/api/v1/auth/register", { username: "leaver", email, password: "password123" });
      expect(again.statusCode).toBe(201);
    });
  });

  describe("SSH keys", () => {
    let dir: string;
    beforeAll(() => { dir = tempDir("niotebook-keys-"); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("adds (201), lists, refuses a duplicate (409) and bad keys (400 public_key), removes (204)", async () => {
      const { client } = await signUp(server.app, "keyholder");
      const key = generateKey(dir, "kh", "ed25519");
      const line = readFileSync(`${key}.pub`, "utf8");
      const added = await client.post("/api/v1/users/me/keys", { public_key: line });
      expect(added.statusCode).toBe(201);
      const k = added.json().key;
      expect(Object.keys(k).sort()).toEqual(["comment", "created_at", "fingerprint", "id", "type"]);
      expect(k).toMatchObject({ type: "ssh-ed25519", comment: "kh@test" });
      expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      const dup = await client.post("/api/v1/users/me/keys", { public_key: line });
      expect(dup.statusCode).toBe(409);
      expect(errorOf(dup).code).toBe("conflict");
      // One key on two accounts is allowed.
      expect((await (await signUp(server.app, "keyholder2")).client.post("/api/v1/users/me/keys", { public_key: line })).statusCode).toBe(201);
      const rsa1024 = readFileSync(`${generateKey(dir, "weak", "rsa1024")}.pub`, "utf8");
      for (const bad of ["ssh-ed25519 AAAA", "hello", rsa1024, readFileSync(`${generateKey(dir, "p384", "ecdsa384")}.pub`, "utf8")]) {
        const res = await client.post("/api/v1/users/me/keys", { public_key: bad });
        expect(res.statusCode, bad).toBe(400);
        expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "public_key" });
      }
      expect((await client.get("/api/v1/users/me/keys")).json()).toEqual({ keys: [k] });
      expect((await client.delete(`/api/v1/users/me/keys/${k.id}`)).statusCode).toBe(204);
      expect((await client.delete(`/api/v1/users/me/keys/${k.id}`)).statusCode).toBe(404);
      expect((await client.get("/api/v1/users/me/keys")).json()).toEqual({ keys: [] });
    });

    it("logs in with a signed challenge; every failure is the same 401; a challenge is single use", async () => {
      const { client, auth } = await signUp(server.app, "sshuser");
      const key = generateKey(dir, "login", "ed25519");
      const otherKey = generateKey(dir, "other", "ecdsa256");
      await client.post("/api/v1/users/me/keys", { public_key: readFileSync(`${key}.pub`, "utf8") });
      const challenge = async (username = "sshuser") => {
        const res = await anon.request("POST", "/api/v1/auth/ssh/challenge", { username }, { host: "social.example:8443" });
        expect(res.statusCode).toBe(200);
        return res.json() as { challenge: string; namespace: string; expires_at: string };
      };
      const c = await challenge();
      expect(c.namespace).toBe("niotebook-login");
      expect(c.challenge).toMatch(/^niotebook-login http:\/\/social\.example:8443 [A-Za-z0-9_-]{22,}$/);
      const ok = await anon.post("/api/v1/auth/ssh", { username: "SSHUser", challenge: c.challenge, signature: sshKeygenSign(key, c.challenge) });
      expect(ok.statusCode).toBe(200);
      const body = ok.json() as AuthResponse;
      expect(body.user.id).toBe(auth.user.id);
      expect((await client.as(body.tokens.access_token).get("/api/v1/users/me")).statusCode).toBe(200);
      // RSA (rsa-sha2-512, as ssh-keygen signs) and ECDSA P-256 keys log in too.
      for (const spec of ["rsa2048", "ecdsa256"] as const) {
        const other = generateKey(dir, `also-${spec}`, spec);
        await client.post("/api/v1/users/me/keys", { public_key: readFileSync(`${other}.pub`, "utf8") });
        const y = await challenge();
        expect((await anon.post("/api/v1/auth/ssh", { username: "sshuser", challenge: y.challenge, signature: sshKeygenSign(other, y.challenge) })).statusCode, spec).toBe(200);
      }
      // Used: the same signature again fails.
      const again = await anon.post("/api/v1/auth/ssh", { username: "sshuser", challenge: c.challenge, signature: sshKeygenSign(key, c.challenge) });
      expect(again.statusCode).toBe(401);

      const failures: Array<[string, () => Promise<{ username: string; challenge: string; signature: string }>]> = [
        ["unknown user", async () => { const x = await challenge("nobodyhere"); return { username: "nobodyhere", challenge: x.challenge, signature: sshKeygenSign(key, x.challenge) }; }],
        ["key not on the account", async () => { const x = await challenge(); return { username: "sshuser", challenge: x.challenge, signature: sshKeygenSign(otherKey, x.challenge) }; }],
        ["another namespace", async () => { const x = await challenge(); return { username: "sshuser", challenge: x.challenge, signature: sshKeygenSign(key, x.challenge, { namespace: "file" }) }; }],
        ["another challenge signed", async () => { const x = await challenge(); const y = await challenge(); return { username: "sshuser", challenge: x.challenge, signature: sshKeygenSign(key, y.challenge) }; }],
        ["challenge of another user", async () => { const x = await challenge("keyholder"); return { username: "sshuser", challenge: x.challenge, signature: sshKeygenSign(key, x.challenge) }; }],
        ["made-up challenge", async () => { const t = "niotebook-login http://social.example:8443 AAAAAAAAAAAAAAAAAAAAAAAAAAAA"; return { username: "sshuser", challenge: t, signature: sshKeygenSign(key, t) }; }],
        ["truncated signature", async () => { const x = await challenge(); const sig = sshKeygenSign(key, x.challenge).split("\n"); return { username: "sshuser", challenge: x.challenge, signature: [...sig.slice(0, 2), ...sig.slice(3)].join("\n") }; }],
        ["a key type we refuse (ECDSA P-384)", async () => { const x = await challenge(); return { username: "sshuser", challenge: x.challenge, signature: sshKeygenSign(generateKey(dir, "p384sig", "ecdsa384"), x.challenge) }; }],
        ["garbage signature", async () => { const x = await challenge(); return { username: "sshuser", challenge: x.challenge, signature: "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----" }; }],
      ];
      const bodies = new Set<string>();
      for (const [why, make] of failures) {
        const res = await anon.post("/api/v1/auth/ssh", await make());
        expect(res.statusCode, why).toBe(401);
        bodies.add(res.body);
      }
      expect(bodies.size).toBe(1);
      // A wrong attempt used the challenge up too.
      const x = await challenge();
      expect((await anon.post("/api/v1/auth/ssh", { username: "sshuser", challenge: x.challenge, signature: sshKeygenSign(otherKey, x.challenge) })).statusCode).toBe(401);
      expect((await anon.post("/api/v1/auth/ssh", { username: "sshuser", challenge: x.challenge, signature: sshKeygenSign(key, x.challenge) })).statusCode).toBe(401);
      // Expired.
      const old = await challenge();
      await sql`UPDATE ssh_challenges SET expires_at = now() - interval '1 second' WHERE challenge = ${old.challenge}`.execute(server.ctx.db);
      expect((await anon.post("/api/v1/auth/ssh", { username: "sshuser", challenge: old.challenge, signature: sshKeygenSign(key, old.challenge) })).statusCode).toBe(401);
    });

    it("takes about as long for an unknown user as for a wrong key", async () => {
      await signUp(server.app, "timeduser");
      const { client } = await signUp(server.app, "timedkeys");
      const key = generateKey(dir, "timed", "ed25519");
      const wrongKey = generateKey(dir, "timedwrong", "ed25519");
      await client.post("/api/v1/users/me/keys", { public_key: readFileSync(`${key}.pub`, "utf8") });
      const attempt = async (username: string) => {
        const c = (await anon.post("/api/v1/auth/ssh/challenge", { username })).json().challenge as string;
        const signature = sshKeygenSign(wrongKey, c);
        const start = process.hrtime.bigint();
        const res = await anon.post("/api/v1/auth/ssh", { username, challenge: c, signature });
        expect(res.statusCode).toBe(401);
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      const unknown: number[] = [];
      const wrong: number[] = [];
      for (let i = 0; i < 8; i++) {
        unknown.push(await attempt("nosuchuser"));
        wrong.push(await attempt("timedkeys"));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const [u, w] = [median(unknown), median(wrong)];
      expect(Math.abs(u - w), `unknown ${u} ms, wrong key ${w} ms`).toBeLessThan(Math.max(u, w) * 0.5 + 2);
    });

    it("names NIOTEBOOK_PUBLIC_URL's origin in challenges when set", async () => {
      // The config is read per request: set it here rather than start another server (slow on PGlite).
      const config = server.ctx.config;
      config.publicOrigin = loadConfig({ NIOTEBOOK_PUBLIC_URL: "https://Social.Example:443/some/path" }).publicOrigin;
      try {
        const res = await anon.post("/api/v1/auth/ssh/challenge", { username: "x" });
        expect(res.json().challenge).toMatch(/^niotebook-login https:\/\/social\.example [A-Za-z0-9_-]+$/);
      } finally {
        config.publicOrigin = undefined;
      }
    });
  });

  describe("registration modes", () => {
    it("GET /instance says the mode without a token", async () => {
      const res = await anon.get("/api/v1/instance");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ name: "Niotebook", registration: "open", limits: { post_characters: 140, display_name_characters: 50, bio_characters: 160 } });
    });

    it("closed refuses every sign-up; invite needs a live code, used at most N times under 50 concurrent sign-ups", async () => {
      // The config is read per request: switch modes on this server rather than start others.
      const config = server.ctx.config;
      const inv = server;
      try {
        config.registration = "closed";
        const res = await anon.post("/api/v1/auth/register", { username: "closedx", email: "c@example.com", password: "password123" });
        expect(res.statusCode).toBe(403);
        expect(errorOf(res).code).toBe("forbidden");
        config.registration = "invite";
        const c = new TestClient(inv.app);
        expect((await c.get("/api/v1/instance")).json().registration).toBe("invite");
        const reg = (username: string, invite_code?: string) =>
          c.post("/api/v1/auth/register", { username, email: `${username}@example.com`, password: "password123", ...(invite_code === undefined ? {} : { invite_code }) });
        for (const code of [undefined, "nosuchcode", ""]) {
          const res = await reg("nocode", code);
          expect(res.statusCode).toBe(403);
          expect(errorOf(res)).toMatchObject({ code: "forbidden", field: "invite_code" });
        }
        // Checked before anything about the account: a taken name still answers invite_code.
        const first = await createInvite(inv.ctx.db, 1, null);
        expect((await reg("takenname", first.code)).statusCode).toBe(201);
        expect(errorOf(await reg("takenname", first.code)).field).toBe("invite_code");
        const expired = await createInvite(inv.ctx.db, 5, 60_000);
        await sql`UPDATE invites SET expires_at = now() - interval '1 second' WHERE code = ${expired.code}`.execute(inv.ctx.db);
        expect((await reg("expiredx", expired.code)).statusCode).toBe(403);
        const revoked = await createInvite(inv.ctx.db, 5, null);
        await sql`UPDATE invites SET revoked_at = now() WHERE code = ${revoked.code}`.execute(inv.ctx.db);
        expect((await reg("revokedx", revoked.code)).statusCode).toBe(403);

        const three = await createInvite(inv.ctx.db, 3, 7 * 86_400_000);
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => reg(`rush${i}`, three.code)));
        const statuses = results.map((r) => r.statusCode);
        expect(statuses.filter((s) => s === 201)).toHaveLength(3);
        expect(statuses.filter((s) => s !== 201).every((s) => s === 403)).toBe(true);
        const row = await inv.ctx.db.selectFrom("invites").select(["uses"]).where("code", "=", three.code).executeTakeFirstOrThrow();
        expect(row.uses).toBe(3);
      } finally {
        config.registration = "open";
      }
    }, 120_000);
  });
});
