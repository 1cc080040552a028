import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, errorOf, signUp, startTestServer, type TestClient, type TestServer } from "./harness.js";

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe.each(BACKENDS)("posts on %s", (backend) => {
  let server: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let aliceId: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const a = await signUp(server.app, "alice");
    aliceId = a.auth.user.id;
    alice = a.client;
    bob = (await signUp(server.app, "bob")).client;
  });
  afterAll(() => server.close());

  it("creates a post: 201 with the author embedded and an exact timestamp", async () => {
    const res = await alice.post("/api/v1/posts", { content: "Hello, terminal" });
    expect(res.statusCode).toBe(201);
    const { post } = res.json();
    expect(Object.keys(res.json())).toEqual(["post"]);
    expect(Object.keys(post).sort()).toEqual([
      "author", "author_id", "content", "created_at", "id", "like_count", "liked", "mentions", "reply_count",
      "reply_to_id", "reply_to_user", "repost_count", "reposted", "tags",
    ]);
    expect(post).toMatchObject({ author_id: aliceId, content: "Hello, terminal", author: { id: aliceId, username: "alice" } });
    expect(post.created_at).toMatch(TIMESTAMP);
    expect(post.author.created_at).toMatch(TIMESTAMP);
    expect(JSON.stringify(post.author)).not.toContain("@example.com");
  });

  it("writes keys in the contract's order wherever a post or a page appears", async () => {
    // v1's keys first, then what social.md adds (a v1 client ignores those).
    const POST_KEYS = ["id", "author_id", "author", "content", "created_at", "reply_to_id", "reply_to_user",
      "reply_count", "like_count", "repost_count", "liked", "reposted", "mentions", "tags"];
    const USER_KEYS = ["id", "username", "display_name", "bio", "created_at"];
    const { post } = (await alice.post("/api/v1/posts", { content: "in order" })).json();
    expect(Object.keys(post)).toEqual(POST_KEYS);
    expect(Object.keys(post.author)).toEqual(USER_KEYS);
    expect(Object.keys((await bob.get(`/api/v1/posts/${post.id}`)).json().post)).toEqual(POST_KEYS);
    for (const path of ["/api/v1/timeline?limit=1", "/api/v1/timeline?limit=1&cursor=2999-01-01T00:00:00Z", "/api/v1/users/alice/posts?limit=1"]) {
      const page = (await bob.get(path.replace("alice/", `${aliceId}/`))).json();
      expect(Object.keys(page), path).toEqual(["posts", "next_cursor", "has_more"]);
      expect(Object.keys(page.posts[0]), path).toEqual(path.includes("users") ? POST_KEYS.filter((k) => k !== "author") : POST_KEYS);
    }
  });

  it("stamps posts to the microsecond, in the order they were written, however fast they come", async () => {
    // The embedded database's own clock ticks in whole milliseconds: posts written within one
    // would tie and come back in id order, not the order they were written.
    const written: Array<{ id: string; created_at: string }> = [];
    for (let i = 0; i < 12; i++) written.push((await alice.post("/api/v1/posts", { content: `burst ${i}` })).json().post);
    const stamps = written.map((p) => p.created_at);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect([...stamps].sort()).toEqual(stamps);
    expect(stamps.some((t) => !/\.\d{3}000Z$/.test(t))).toBe(true);
    const page = (await bob.get(`/api/v1/users/${aliceId}/posts?limit=12`)).json() as { posts: Array<{ id: string }> };
    expect(page.posts.map((p) => p.id)).toEqual(written.map((p) => p.id).reverse());
  });

  it("normalises CR and CRLF to LF and trims as String#trim does", async () => {
    const res = await alice.post("/api/v1/posts", { content: "\u3000\t line one\r\nline two\rline three \u00a0\n" });
    expect(res.json().post.content).toBe("line one\nline two\nline three");
  });

  it("counts code points: 140 emoji pass, 141 characters are content_too_long", async () => {
    expect((await alice.post("/api/v1/posts", { content: "🎉".repeat(140) })).statusCode).toBe(201);
    expect((await alice.post("/api/v1/posts", { content: `  ${"x".repeat(140)}  ` })).statusCode).toBe(201);
    const res = await alice.post("/api/v1/posts", { content: "x".repeat(141) });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: "content_too_long", field: "content" });
  });

  it.each([
    ["", "validation_error"],
    [" \n\t\r\n ", "validation_error"],
    ["bell\u0007", "validation_error"],
    ["c1\u0085", "validation_error"],
    ["nul\u0000", "validation_error"],
    ["lone \ud83d surrogate", "validation_error"],
    ["\u200b", "validation_error"],
    [" \u2060\n\u200b ", "validation_error"],
  ])("refuses %j with %s on content", async (content, code) => {
    const res = await alice.post("/api/v1/posts", { content });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code, field: "content" });
  });

  it("keeps tabs and newlines", async () => {
    expect((await alice.post("/api/v1/posts", { content: "a\tb\n\nc" })).json().post.content).toBe("a\tb\n\nc");
  });

  it("shows on every page exactly what the write answered, however awkward the text", async () => {
    // The cached first page, the paged queries and the single post are rendered apart: they must agree.
    const { client, auth } = await signUp(server.app, "awkward");
    await client.patch("/api/v1/users/me", { display_name: "Ödön \"the\" \\ 🎉", bio: "line\u2028sep \u00a0 </script>" });
    const contents = ["\"quotes\" and \\ backslash", "tab\tnew\nline", "🎉👩‍💻 e\u0301 漢字 \u2028\u2029", "</script> & <b> \u00a0x", "\\u0000 is not NUL"];
    const written = [];
    for (const content of contents) written.push((await client.post("/api/v1/posts", { content })).json().post);
    const newestFirst = written.reverse();
    const first = (await client.get("/api/v1/timeline?limit=5")).json();
    const deep = (await client.get(`/api/v1/timeline?limit=5&cursor=${(await client.get("/api/v1/timeline?limit=1")).json().next_cursor}`)).json();
    const mine = (await client.get(`/api/v1/users/${auth.user.id}/posts?limit=5`)).json();
    expect(first.posts).toEqual(newestFirst);
    expect(deep.posts).toEqual(newestFirst.slice(1).concat(deep.posts.slice(4)));
    expect(mine.posts).toEqual(newestFirst.map(({ author: _, ...post }: { author: unknown }) => post));
    for (const post of newestFirst) expect((await client.get(`/api/v1/posts/${post.id}`)).json().post).toEqual(post);
  });

  it("refuses without a token, with unknown properties and with a mistyped content", async () => {
    expect(errorOf(await alice.as(undefined).post("/api/v1/posts", { content: "x" })).code).toBe("unauthorized");
    expect(errorOf(await alice.post("/api/v1/posts", { content: "x", author_id: aliceId }))).toMatchObject({ field: "author_id" });
    expect(errorOf(await alice.post("/api/v1/posts", { content: ["x"] }))).toMatchObject({ field: "content" });
    expect(errorOf(await alice.post("/api/v1/posts", {}))).toMatchObject({ field: "content" });
  });

  it("gets one post with its author; 404 for unknown and malformed ids", async () => {
    const created = (await alice.post("/api/v1/posts", { content: "find me" })).json().post;
    const res = await bob.get(`/api/v1/posts/${created.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ post: created });
    expect(errorOf(await bob.get("/api/v1/posts/00000000-0000-4000-8000-000000000000")).code).toBe("not_found");
    expect((await bob.get("/api/v1/posts/not-a-uuid")).statusCode).toBe(404);
    expect((await bob.get("/api/v1/posts/%00")).statusCode).toBe(404);
    expect(errorOf(await bob.as(undefined).get(`/api/v1/posts/${created.id}`)).code).toBe("unauthorized");
  });

  it("deletes only your own post: 403 for others, 404 when unknown, gone everywhere after", async () => {
    const created = (await alice.post("/api/v1/posts", { content: "short-lived" })).json().post;
    expect(errorOf(await bob.delete(`/api/v1/posts/${created.id}`)).code).toBe("forbidden");
    const res = await alice.delete(`/api/v1/posts/${created.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await alice.get(`/api/v1/posts/${created.id}`)).statusCode).toBe(404);
    expect((await alice.delete(`/api/v1/posts/${created.id}`)).statusCode).toBe(404);
    expect((await alice.delete("/api/v1/posts/nope")).statusCode).toBe(404);
    const timeline = (await bob.get("/api/v1/timeline?limit=100")).json().posts as Array<{ id: string }>;
    expect(timeline.map((p) => p.id)).not.toContain(created.id);
    const own = (await bob.get("/api/v1/users/@alice/posts?limit=100")).json().posts as Array<{ id: string }>;
    expect(own.map((p) => p.id)).not.toContain(created.id);
  });
});
