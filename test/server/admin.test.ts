// `niotebook-server admin` (social.md, "Operators"): every command on both databases, while a
// server runs — on PostgreSQL the CLI connects directly; on the embedded database it hands the
// command to the server over the data folder's admin socket (and opens the folder itself when
// no server runs, tested with real processes below).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdminCli } from "../../src/server/admin/cli.js";
import { ADMIN_HELP, type AdminResult } from "../../src/server/admin/commands.js";
import { sendToAdminSocket, startAdminSocket } from "../../src/server/admin/socket.js";
import { BACKENDS, TestClient, errorOf, eventually, signUp, startTestServer, type TestServer } from "./harness.js";
import { registerUser, removeTempDirs, runServerCommand, startServerProcess, tempDataDir } from "../support/server-process.js";

describe.each(BACKENDS)("admin on %s, while the server runs", (backend) => {
  let server: TestServer;
  let socket: { close(): Promise<void> } | null = null;
  const admin = (...argv: string[]): Promise<AdminResult> =>
    backend === "postgres" ? runAdminCli(argv, server.ctx.config, "tester") : sendToAdminSocket(server.ctx.config.dataDir, argv, "tester");
  const audit = async () => (await server.ctx.db.selectFrom("audit_log").select(["actor", "action", "target", "details"]).orderBy("id").execute());

  beforeAll(async () => {
    server = await startTestServer(backend);
    if (backend === "embedded") socket = await startAdminSocket(server.ctx.config.dataDir, server.ctx);
    await eventually(() => expect(server.ctx.knownUsers.isHearing).toBe(true));
  });
  afterAll(async () => {
    await socket?.close();
    await server.close();
  });

  it("has --help for each command, without touching the database", async () => {
    for (const key of Object.keys(ADMIN_HELP)) {
      const result = await runAdminCli([...key.split(" ").filter(Boolean), "--help"], server.ctx.config);
      expect(result.code, key).toBe(0);
      expect(result.stdout, key).toBe(ADMIN_HELP[key]);
    }
    expect((await admin("users", "frobnicate", "@x")).code).toBe(2);
    expect((await admin("users", "suspend")).stderr).toMatch(/missing @name/);
  });

  it("suspends at once (tokens 403 suspended, posts hidden) and unsuspends; unknown users are a clear error", async () => {
    const { client, auth } = await signUp(server.app, "baduser");
    const watcher = (await signUp(server.app, "lookerx")).client;
    const post = (await client.post("/api/v1/posts", { content: "abuse" })).json().post;
    expect((await client.get("/api/v1/users/me")).statusCode).toBe(200);
    const result = await admin("users", "suspend", "@BadUser");
    expect(result).toEqual({ code: 0, stdout: "suspended @baduser\n", stderr: "" });
    await eventually(async () => {
      const res = await client.get("/api/v1/users/me");
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).code).toBe("suspended");
    }, 1_000);
    await eventually(async () => {
      expect((await watcher.get("/api/v1/timeline")).json().posts.map((p: { id: string }) => p.id)).not.toContain(post.id);
    }, 1_500);
    expect((await admin("users", "unsuspend", "@baduser")).code).toBe(0);
    await eventually(async () => expect((await client.get("/api/v1/users/me")).statusCode).toBe(200), 1_000);
    const missing = await admin("users", "suspend", "@ghostuser");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no user @ghostuser/);
    expect((await audit()).filter((a) => a.target === "@baduser")).toEqual([
      { actor: "tester", action: "users.suspend", target: "@baduser", details: "" },
      { actor: "tester", action: "users.unsuspend", target: "@baduser", details: "" },
    ]);
    expect(auth.user.username).toBe("baduser");
  });

  it("sets roles", async () => {
    const { auth } = await signUp(server.app, "modme");
    expect((await admin("users", "role", "@modme", "moderator")).code).toBe(0);
    const row = await server.ctx.db.selectFrom("users").select("role").where("id", "=", auth.user.id).executeTakeFirstOrThrow();
    expect(row.role).toBe("moderator");
    expect((await admin("users", "role", "@modme", "king")).code).toBe(2);
    expect((await admin("users", "role", "@nobodyhere", "admin")).code).toBe(1);
    expect((await audit()).at(-1)).toEqual({ actor: "tester", action: "users.role", target: "@modme", details: "moderator" });
  });

  it("deletes posts; unknown and malformed ids are clear errors", async () => {
    const { client } = await signUp(server.app, "poster");
    const post = (await client.post("/api/v1/posts", { content: "delete me" })).json().post;
    expect((await client.get("/api/v1/timeline")).json().posts[0].id).toBe(post.id); // cached first page
    expect((await admin("posts", "delete", post.id)).code).toBe(0);
    expect((await client.get(`/api/v1/posts/${post.id}`)).statusCode).toBe(404);
    await eventually(async () => expect((await client.get("/api/v1/timeline")).json().posts.map((p: { id: string }) => p.id)).not.toContain(post.id), 1_500);
    const again = await admin("posts", "delete", post.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no post/);
    expect((await admin("posts", "delete", "not-an-id")).code).toBe(1);
    expect((await audit()).at(-1)).toMatchObject({ actor: "tester", action: "posts.delete", target: post.id });
  });

  it("lists and resolves reports", async () => {
    const reporter = await signUp(server.app, "reporter");
    const reported = await signUp(server.app, "reported");
    const post = (await reported.client.post("/api/v1/posts", { content: "rude words" })).json().post;
    const { id } = await server.ctx.db.insertInto("reports").values({
      reporter_id: reporter.auth.user.id, post_id: post.id, user_id: reported.auth.user.id, content: "rude words", reason: "spam", resolved_at: null,
    }).returning("id").executeTakeFirstOrThrow();
    const list = await admin("reports", "list", "--open");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/open .*by @reporter .*"spam" +"rude words"/);
    expect((await admin("reports", "resolve", id)).code).toBe(0);
    expect((await admin("reports", "list", "--open")).stdout).not.toContain(id);
    expect((await admin("reports", "list")).stdout).toMatch(new RegExp(`${id} .* resolved `));
    expect((await admin("reports", "resolve", "00000000-0000-4000-8000-000000000000")).code).toBe(1);
    expect((await admin("reports", "list", "--uses", "3")).code).toBe(2);
  });

  it("creates, lists and revokes invites that sign-ups then use", async () => {
    const created = await admin("invites", "create", "--uses", "2", "--expires", "7d");
    expect(created.code).toBe(0);
    const code = created.stdout.trim();
    expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await admin("invites", "list")).stdout).toMatch(new RegExp(`${code}  0/2 used  expires \\S+  live`));
    const config = server.ctx.config;
    config.registration = "invite";
    try {
      const anon = new TestClient(server.app);
      const reg = (username: string) => anon.post("/api/v1/auth/register", { username, email: `${username}@example.com`, password: "password123", invite_code: code });
      expect((await reg("invited1")).statusCode).toBe(201);
      expect((await admin("invites", "revoke", code)).code).toBe(0);
      expect((await reg("invited2")).statusCode).toBe(403);
    } finally {
      config.registration = "open";
    }
    expect((await admin("invites", "list")).stdout).toMatch(new RegExp(`${code}  1/2 used  .* revoked `));
    expect((await admin("invites", "revoke", "nosuchcode")).code).toBe(1);
    expect((await admin("invites", "create", "--uses", "0")).code).toBe(2);
    expect((await admin("invites", "create", "--expires", "soon")).code).toBe(2);
    expect((await audit()).filter((a) => a.target === code).map((a) => a.action)).toEqual(["invites.create", "invites.revoke"]);
  });
});

describe("admin on the embedded database, as processes", () => {
  afterAll(() => removeTempDirs());

  it("hands the command to the running server, and opens the data folder itself when none runs", async () => {
    const dataDir = tempDataDir();
    const server = await startServerProcess({ NIOTEBOOK_DATA_DIR: dataDir });
    try {
      const auth = await registerUser(server.url, "procuser");
      const me = () => fetch(`${server.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${auth.tokens.access_token}` } });
      expect((await me()).status).toBe(200);
      const result = runServerCommand(["admin", "users", "suspend", "@procuser"], { NIOTEBOOK_DATA_DIR: dataDir });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect((await me()).status).toBe(403);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const direct = runServerCommand(["admin", "users", "unsuspend", "@procuser"], { NIOTEBOOK_DATA_DIR: dataDir });
    expect(direct.stderr).toBe("");
    expect(direct.status).toBe(0);
    const unknown = runServerCommand(["admin", "users", "suspend", "@nobody"], { NIOTEBOOK_DATA_DIR: dataDir });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no user @nobody/);
  }, 180_000);
});
