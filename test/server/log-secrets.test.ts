// Every log line the server writes during a full session — sign-up, login, refresh, logout,
// posts, failures — is collected at the most verbose level and searched for the passwords,
// tokens and hashes that passed through. None may appear.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type AddressInfo } from "node:net";
import { TestClient, signUp, startTestServer, type TestServer } from "./harness.js";

describe("logs", () => {
  let server: TestServer;
  let log = "";
  beforeAll(async () => {
    const stream = new Writable({ write(chunk, _enc, done) { log += String(chunk); done(); } });
    server = await startTestServer("embedded", {}, { logStream: stream });
  });
  afterAll(() => server.close());

  it("never contain a password, a token or a hash", async () => {
    const anon = new TestClient(server.app);
    const password = "Secret-Passw0rd-Value";
    const reg = await anon.post("/api/v1/auth/register", { username: "logged", email: "logged@x.io", password });
    expect(reg.statusCode).toBe(201);
    const login = await anon.post("/api/v1/auth/login", { email: "logged@x.io", password });
    await anon.post("/api/v1/auth/login", { email: "logged@x.io", password: `${password}-wrong` });
    const tokens = login.json().tokens as { access_token: string; refresh_token: string };
    const refreshed = (await anon.post("/api/v1/auth/refresh", { refresh_token: tokens.refresh_token })).json().tokens as { access_token: string; refresh_token: string };
    await anon.post("/api/v1/auth/refresh", { refresh_token: tokens.refresh_token });
    const client = anon.as(refreshed.access_token);
    await client.post("/api/v1/posts", { content: "logged post" });
    await client.post("/api/v1/posts", { content: "x".repeat(200) });
    await client.get("/api/v1/timeline?cursor=bad");
    await anon.as("forged.token.value").get("/api/v1/timeline");
    // The account routes: a password change (wrong, then right), a wrong deletion password.
    const newPassword = "Another-Secret-Value-9";
    await client.post("/api/v1/users/me/password", { current_password: `${password}-nope`, new_password: newPassword });
    const changed = (await client.post("/api/v1/users/me/password", { current_password: password, new_password: newPassword })).json().tokens as { access_token: string; refresh_token: string };
    await anon.as(changed.access_token).request("DELETE", "/api/v1/users/me", { password: `${newPassword}-nope` });
    await anon.post("/api/v1/auth/logout", { refresh_token: changed.refresh_token });

    const rows = await server.ctx.db.selectFrom("users").select("password_hash").execute();
    const refreshHashes = await server.ctx.db.selectFrom("refresh_tokens").select("token_hash").execute();
    const secrets = [
      password, newPassword, changed.access_token, changed.refresh_token, tokens.access_token, tokens.refresh_token, refreshed.access_token, refreshed.refresh_token,
      ...rows.map((r) => r.password_hash), ...refreshHashes.map((r) => r.token_hash),
      tokens.access_token.split(".")[2]!, "$argon2id",
    ];
    expect(log.split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(10);
    expect(log).toContain('"route":"/api/v1/auth/login"');
    for (const secret of secrets) expect(log.includes(secret), `log contains ${secret.slice(0, 12)}…`).toBe(false);
    // Each request line carries what an operator needs.
    const line = log.split("\n").map((l) => (l ? JSON.parse(l) : null)).find((l) => l?.msg === "request" && l.route === "/api/v1/posts");
    expect(line).toMatchObject({ method: "POST", route: "/api/v1/posts", path: "/api/v1/posts", status: 201, ip: "127.0.0.1" });
    expect(typeof line.duration_ms).toBe("number");
  });

  it("take an upload the client abandoned for what it is, not a database failure", async () => {
    const { auth } = await signUp(server.app, "quitter");
    await server.app.listen({ port: 0, host: "127.0.0.1" });
    const before = log.length;
    await new Promise<void>((resolve) => {
      const socket = connect((server.app.server.address() as AddressInfo).port, "127.0.0.1", () => {
        socket.write(`POST /api/v1/posts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n` +
          `Authorization: Bearer ${auth.tokens.access_token}\r\n\r\n{"content":`);
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on("close", () => setTimeout(resolve, 200));
    });
    const lines = log.slice(before).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; status?: number });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]); // it was an "unavailable" database error, logged as one
    expect(lines.some((l) => l.msg === "request" && l.status === 400)).toBe(true);
  });

  it("log every request with what was asked for, those refused before any route included, never the query", async () => {
    const client = new TestClient(server.app);
    const before = log.length;
    await client.get("/api/v1/nothing-here?cursor=zzz");
    await client.get(`/api/v1/posts/${"a".repeat(1_000)}`); // refused by the router itself (over-long parameter)
    await client.get("/api/v1/posts/%E0%A4%A"); // a malformed URL
    const lines = log.slice(before).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
    expect(lines.map((l) => [l.route, l.path, l.status])).toEqual([
      ["(unmatched)", "/api/v1/nothing-here", 404],
      ["(unmatched)", `/api/v1/posts/${"a".repeat(242)}…`, 404],
      ["(unmatched)", "/api/v1/posts/%E0%A4%A", 404],
    ]);
  });
});
