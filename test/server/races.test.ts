// Races the contract promises to win: one of many simultaneous sign-ups for a name or an
// e-mail, and paging while others post and delete.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, TestClient, errorOf, signUp, startTestServer, type TestServer } from "./harness.js";

describe.each(BACKENDS)("races on %s", (backend) => {
  let server: TestServer;
  let anon: TestClient;
  beforeAll(async () => {
    server = await startTestServer(backend);
    anon = new TestClient(server.app);
  });
  afterAll(() => server.close());

  it("60 concurrent sign-ups for one username: exactly one succeeds, the rest get 409 on username", async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      anon.post("/api/v1/auth/register", { username: i % 2 ? "SameName" : "samename", email: `same${i}@x.io`, password: "password123" })));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    const losers = results.filter((r) => r.statusCode !== 201);
    expect(losers).toHaveLength(59);
    for (const r of losers) expect(errorOf(r)).toMatchObject({ code: "conflict", field: "username" });
  });

  it("60 concurrent sign-ups for one e-mail: exactly one succeeds, the rest get 409 on email", async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      anon.post("/api/v1/auth/register", { username: `mailer${i}`, email: i % 2 ? "Same@Mail.io" : "same@mail.io", password: "password123" })));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.statusCode !== 201)) expect(errorOf(r)).toMatchObject({ code: "conflict", field: "email" });
  });

  it("paging while others post and delete never repeats a post nor skips one that stayed", async () => {
    const writer = await signUp(server.app, "churner");
    const reader = (await signUp(server.app, "pager")).client;
    await sql`INSERT INTO posts (author_id, content, created_at)
      SELECT ${writer.auth.user.id}::uuid, 'old ' || g, now() - (g % 40) * interval '1 second'
      FROM generate_series(1, 300) g`.execute(server.ctx.db);
    const before = await server.ctx.db.selectFrom("posts").select("id").execute();
    const doomed = new Set(before.filter((_, i) => i % 5 === 0).map((p) => p.id));
    const stable = before.map((p) => p.id).filter((id) => !doomed.has(id));

    let churning = true;
    const churn = (async () => {
      const toDelete = [...doomed];
      for (let i = 0; churning; i++) {
        await writer.client.post("/api/v1/posts", { content: `new ${i}` });
        const id = toDelete.pop();
        if (id) expect((await writer.client.delete(`/api/v1/posts/${id}`)).statusCode).toBe(204);
      }
    })();

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 200; page++) {
      const res = await reader.get(`/api/v1/timeline?limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { posts: Array<{ id: string }>; next_cursor: string | null };
      seen.push(...body.posts.map((p) => p.id));
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    churning = false;
    await churn;
    expect(new Set(seen).size).toBe(seen.length);
    const seenSet = new Set(seen);
    for (const id of stable) expect(seenSet.has(id), id).toBe(true);
  }, 120_000);
});
