import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, errorOf, signUp, startTestServer, type TestClient, type TestServer } from "./harness.js";

describe.each(BACKENDS)("users on %s", (backend) => {
  let server: TestServer;
  let carol: TestClient;
  let carolId: string;
  let dave: TestClient;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const c = await signUp(server.app, "Carol");
    carol = c.client;
    carolId = c.auth.user.id;
    dave = (await signUp(server.app, "dave")).client;
  });
  afterAll(() => server.close());

  it("finds a profile by UUID, me and @username (case-insensitive), without private fields", async () => {
    const byId = await dave.get(`/api/v1/users/${carolId}`);
    expect(byId.statusCode).toBe(200);
    // Profiles carry counts (social.md); another user's profile comes with how the caller stands.
    expect(Object.keys(byId.json().user).sort()).toEqual(["bio", "created_at", "display_name", "followers_count", "following_count", "id", "posts_count", "username"]);
    expect(byId.json().relationship).toEqual({ following: false, followed_by: false, blocking: false, blocked_by: false, muting: false });
    expect((await carol.get("/api/v1/users/me")).json()).toEqual({ user: byId.json().user });
    expect((await dave.get("/api/v1/users/@CAROL")).json()).toEqual(byId.json());
    expect((await dave.get(`/api/v1/users/${carolId.toUpperCase()}`)).json()).toEqual(byId.json());
  });

  it("stamps a new account to the microsecond, as posts are", async () => {
    // The embedded database's own clock ticks in whole milliseconds (every stamp ended in 000).
    const stamps: string[] = [];
    for (const name of ["stamp_a", "stamp_b", "stamp_c"]) stamps.push((await signUp(server.app, name)).auth.user.created_at);
    expect(stamps.some((t) => !/\.\d{3}000Z$/.test(t)), stamps.join()).toBe(true);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it("404s unknown and malformed user ids", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "@ghost", "not-a-uuid", "@", "%40%00"]) {
      const res = await dave.get(`/api/v1/users/${id}`);
      expect(res.statusCode, id).toBe(404);
      expect(errorOf(res).code).toBe("not_found");
    }
  });

  it("updates display name and bio; absent fields stay; {} changes nothing", async () => {
    let res = await carol.patch("/api/v1/users/me", { display_name: "Carol 🌸" });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ display_name: "Carol 🌸", bio: "" });
    res = await carol.patch("/api/v1/users/me", { bio: "Line one\r\nline\ttwo" });
    expect(res.json().user).toMatchObject({ display_name: "Carol 🌸", bio: "Line one\nline\ttwo" });
    const before = res.json();
    // Trimmed as posts are: what is counted is what is stored.
    res = await carol.patch("/api/v1/users/me", { display_name: `  ${"y".repeat(50)}  ` });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.display_name).toBe("y".repeat(50));
    res = await carol.patch("/api/v1/users/me", { display_name: before.user.display_name });
    expect(res.statusCode).toBe(200);
    res = await carol.patch("/api/v1/users/me", {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(before);
    expect((await dave.get("/api/v1/users/@carol")).json().user).toEqual(before.user);
  });

  it("stores a display name trimmed, as post content is", async () => {
    const res = await carol.patch("/api/v1/users/me", { display_name: "\u3000 Carol 🌸 " });
    expect(res.json().user).toMatchObject({ display_name: "Carol 🌸" });
  });

  it.each([
    [{ display_name: "" }, "display_name"],
    [{ display_name: "   " }, "display_name"],
    [{ display_name: "\u3000\n\t" }, "display_name"],
    [{ display_name: "x".repeat(51) }, "display_name"],
    [{ display_name: "tab\there" }, "display_name"],
    [{ display_name: "nul\u0000" }, "display_name"],
    [{ display_name: "   " }, "display_name"],
    [{ display_name: "\u200b" }, "display_name"],
    [{ bio: "b".repeat(161) }, "bio"],
    [{ bio: "bell\u0007" }, "bio"],
    [{ bio: "lone\udc00" }, "bio"],
    [{ display_name: "", bio: "b".repeat(161) }, "display_name"],
    [{ bio: "b".repeat(161), display_name: "" }, "display_name"],
    [{ display_name: 5 }, "display_name"],
    [{ email: "new@x.io" }, "email"],
    [{ username: "newname" }, "username"],
  ])("refuses %j with validation_error on %s and changes nothing", async (body, field) => {
    const before = (await carol.get("/api/v1/users/me")).json();
    const res = await carol.patch("/api/v1/users/me", body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: "validation_error", field });
    expect((await carol.get("/api/v1/users/me")).json()).toEqual(before);
  });

  it("accepts the limits exactly: 50-character name, 160-character bio in emoji", async () => {
    const res = await carol.patch("/api/v1/users/me", { display_name: "😀".repeat(50), bio: "🎉".repeat(160) });
    expect(res.statusCode).toBe(200);
  });

  it("allows editing your own profile by id, and forbids editing someone else's", async () => {
    expect((await carol.patch(`/api/v1/users/${carolId}`, { bio: "by id" })).statusCode).toBe(200);
    expect(errorOf(await dave.patch(`/api/v1/users/${carolId}`, { bio: "hacked" })).code).toBe("forbidden");
    expect(errorOf(await dave.as(undefined).patch("/api/v1/users/me", { bio: "x" })).code).toBe("unauthorized");
  });
});
