import stringWidth from "string-width";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "./helpers/fake-api.js";
import { apiError } from "./helpers/stub-server.js";
import { KEY, renderApp, type RenderedApp } from "./helpers/render-app.js";

let fake: FakeApi;
let app: RenderedApp;
beforeEach(async () => {
  fake = await startFakeApi();
  fake.me.display_name = "Alice Liddell";
  fake.me.bio = "Down the rabbit hole";
  fake.addPosts(3, fake.me);
  fake.addPosts(2, fake.users[1], new Date(Date.now() - 3_600_000));
  app = renderApp({ serverUrl: fake.url, tokens: fake.tokens });
  await app.waitFor("Post number 1 ");
});
afterEach(async () => {
  app.cleanup();
  await fake.close();
});

describe("Profile", () => {
  it("shows @username, display name, bio, join date and the user's posts", async () => {
    await app.press("p");
    const frame = await app.waitFor((f) => f.includes("Joined Feb 2026") && f.includes("Post number 1 by alice"));
    expect(frame).toContain("@alice");
    expect(frame).toContain("Alice Liddell");
    expect(frame).toContain("Down the rabbit hole");
    expect(frame).toContain("Post number 1 by alice");
    expect(frame).not.toContain("by bob");
    expect(frame).toContain("Profile");
  });

  it("shows the profile as the server has it now, not as it was at log-in; r fetches it again", async () => {
    fake.me.display_name = "Changed Elsewhere";
    await app.press("p");
    await app.waitFor((f) => f.includes("Joined") && f.includes("Changed Elsewhere"));
    fake.me.bio = "A newer bio";
    await app.press("r");
    await app.waitFor("A newer bio");
  });

  it("never draws a line wider than the terminal, however wide the display name", async () => {
    fake.users[1]!.display_name = "全".repeat(50);
    fake.addPosts(1, fake.users[1]!);
    await app.press("r");
    await app.waitFor((f) => (f.split("\n").find((l) => l.startsWith("▸")) ?? "").includes("@bob"));
    const fits = (frame: string) => frame.split("\n").every((line) => stringWidth(line) <= 80);
    await app.press(KEY.enter);
    expect(fits(await app.waitFor((f) => f.includes("Joined") && f.includes("全全全") && (f.split("\n").find((l) => l.startsWith("▸")) ?? "").includes("@bob · ")))).toBe(true);
    await app.press("v");
    expect(fits(await app.waitFor((f) => f.includes("Post number 6") && f.includes("全全全") && !f.includes("Joined")))).toBe(true);
  });

  it("keeps a blank line of the bio, and cuts a bio too long for the screen with … +N lines", async () => {
    fake.me.bio = "first paragraph\n\nsecond paragraph";
    await app.press("p");
    let frame = await app.waitFor("second paragraph");
    const rows = frame.split("\n");
    const first = rows.findIndex((l) => l.includes("first paragraph"));
    expect(rows.slice(first, first + 3).map((l) => l.trim())).toEqual(["first paragraph", "", "second paragraph"]);
    fake.me.bio = "word ".repeat(32).trim();
    await app.resize(40, 10);
    await app.press("r");
    frame = await app.waitFor(/… \+\d+ lines/);
    expect(frame).toContain("Joined");
  });

  it("cuts a long post to the room under the header, with its … +N lines", async () => {
    const [long] = fake.addPosts(1, fake.me, new Date());
    long!.content = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n");
    await app.resize(40, 14);
    await app.press("p");
    const frame = await app.waitFor((f) => f.includes("line 1") && f.includes("Joined"));
    expect(frame).toMatch(/… \+\d+ lines/);
    expect(frame).not.toContain("line 12");
  });

  it("Esc goes back to where you came from", async () => {
    await app.press("j", "j", "j");
    await app.waitFor((f) => (f.split("\n").find((l) => l.startsWith("▸")) ?? "").includes("@bob"));
    await app.press(KEY.enter);
    await app.waitFor((f) => f.includes("Joined") && f.includes("@bob"));
    await app.press(KEY.escape);
    const frame = await app.waitFor("[2 Global]");
    expect(frame.split("\n").find((l) => l.startsWith("▸"))).toContain("@bob");
  });

  it("Esc from a post opened on a profile comes back to the same post, however far down (a second page too)", async () => {
    fake.addPosts(60, fake.me, new Date(Date.now() - 7_200_000));
    await app.press("p");
    await app.waitFor((f) => f.includes("Joined") && f.includes("Post number 1 by alice"));
    await app.press("G"); // the first page's last post: the second page loads
    await app.waitFor((f) => fake.stub.requests.filter((r) => r.path.endsWith("/posts") && r.query.get("cursor")).length === 1 && !f.includes("Loading more"));
    await app.press("G");
    await app.waitFor((f) => (f.split("\n").find((l) => l.startsWith("▸")) ?? "") !== "" && f.includes("· No older posts ·"));
    await app.press("k", "k");
    const before = app.frame().split("\n");
    const selected = before[before.findIndex((l) => l.startsWith("▸")) + 1]!;
    expect(selected).toMatch(/Post number \d+ by alice/);
    await app.press("v");
    await app.waitFor((f) => f.includes(selected.trim()) && !f.includes("Joined"));
    await app.press(KEY.escape);
    const after = (await app.waitFor("Joined")).split("\n");
    expect(after[after.findIndex((l) => l.startsWith("▸")) + 1]).toBe(selected);
  });

  it("a profile left before its posts arrived loads them when gone back to", async () => {
    const bob = fake.users[1]!;
    fake.stub.on("GET", /^\/api\/v1\/users\/[^/]+\/posts$/, (req) => {
      const own = fake.posts.filter((p) => req.path.includes(p.author_id)).map(({ author: _a, ...rest }) => rest);
      return { body: { posts: own, next_cursor: null, has_more: false }, delayMs: req.path.includes(bob.id) ? 150 : 0 };
    });
    await app.press("j", "j", "j");
    await app.waitFor((f) => (f.split("\n").find((l) => l.startsWith("▸")) ?? "").includes("@bob"));
    await app.press(KEY.enter);
    await app.waitFor((f) => f.includes("Joined") && f.includes("@bob"));
    await app.press("p"); // away before bob's posts came
    await app.waitFor("Post number 1 by alice");
    await app.press(KEY.escape);
    await app.waitFor((f) => f.includes("@bob") && f.includes("Post number 4 by bob"));
  });

  it("e on your own profile edits display name and bio with live limits; Ctrl+S saves", async () => {
    await app.press("p");
    await app.waitFor("Joined");
    await app.press("e");
    let frame = await app.waitFor("Edit profile");
    expect(frame).toContain("13/50");
    expect(frame).toContain("20/160");
    await app.press(KEY.ctrl("u"));
    await app.waitFor("Display name must be 1–50 characters");
    await app.type("Alice L.");
    await app.press(KEY.tab);
    await app.type(" and back");
    await app.waitFor("29/160");
    await app.press(KEY.ctrl("s"));
    frame = await app.waitFor("Profile saved");
    expect(frame).toContain("Alice L.");
    expect(frame).toContain("Down the rabbit hole and back");
    expect(fake.me.display_name).toBe("Alice L.");
  });

  it("the display-name counter turns red when the name would be refused, empty as well as too long", async () => {
    app.cleanup();
    app = renderApp({ serverUrl: fake.url, tokens: fake.tokens, colors: true });
    await app.waitFor("Post number 1 ");
    await app.press("p");
    await app.waitFor("Joined");
    await app.press("e");
    await app.waitFor("Edit profile");
    const styleBefore = (text: string): string => {
      const frame = app.rawFrame();
      const i = frame.indexOf(text);
      return frame.slice(Math.max(0, i - 12), i);
    };
    expect(styleBefore("13/50")).not.toContain("\x1b[31m");
    await app.press(KEY.ctrl("u"));
    await app.waitFor("0/50");
    expect(styleBefore("0/50")).toContain("\x1b[31m");
  });

  it("refuses to save over the limits", async () => {
    await app.press("p");
    await app.waitFor("Joined");
    await app.press("e");
    await app.waitFor("Edit profile");
    await app.type("x".repeat(40));
    await app.waitFor("53/50");
    await app.press(KEY.ctrl("s"));
    await app.waitFor("Display name must be 1–50 characters");
    expect(fake.stub.requests.some((r) => r.method === "PATCH")).toBe(false);
  });

  it("Esc cancels the edit box without saving", async () => {
    await app.press("p");
    await app.waitFor("Joined");
    await app.press("e");
    await app.waitFor("Edit profile");
    await app.type("zzz");
    await app.press(KEY.escape);
    const frame = await app.waitFor((f) => !f.includes("Edit profile"));
    expect(frame).not.toContain("zzz");
    expect(fake.me.display_name).toBe("Alice Liddell");
  });

  it("shows a server error under the field", async () => {
    fake.stub.on("PATCH", "/api/v1/users/me", () => apiError(400, "validation_error", "Bio cannot contain control characters", "bio"));
    await app.press("p");
    await app.waitFor("Joined");
    await app.press("e");
    await app.waitFor("Edit profile");
    await app.press(KEY.ctrl("s"));
    const frame = await app.waitFor("✗ Bio cannot contain control characters");
    const lines = frame.split("\n");
    const bioLabel = lines.findIndex((l) => l.includes("Bio ") && l.includes("/160"));
    expect(lines.findIndex((l) => l.includes("✗ Bio cannot"))).toBeGreaterThan(bioLabel);
  });

  it("e does nothing on someone else's profile", async () => {
    await app.press("G");
    await app.waitFor((f) => (f.split("\n").find((l) => l.startsWith("▸")) ?? "").includes("@bob"));
    await app.press(KEY.enter);
    await app.waitFor((f) => f.includes("Joined") && f.includes("@bob"));
    await app.press("e");
    expect(app.frame()).not.toContain("Edit profile");
  });
});
