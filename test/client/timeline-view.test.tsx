import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "./helpers/fake-api.js";
import { apiError } from "./helpers/stub-server.js";
import { makeTokens } from "./helpers/fixtures.js";
import { KEY, renderApp, type RenderedApp } from "./helpers/render-app.js";

let fake: FakeApi;
let app: RenderedApp | null = null;
beforeEach(async () => {
  fake = await startFakeApi();
});
afterEach(async () => {
  app?.cleanup();
  app = null;
  await fake.close();
});

async function open(opts: { columns?: number; rows?: number } = {}): Promise<RenderedApp> {
  app = renderApp({ serverUrl: fake.url, tokens: fake.tokens, ...opts });
  await app.waitFor((f) => f.includes("niotebook · @alice") && !f.includes("Loading…"));
  return app;
}
/** `posts` in the fake, the app open at the last loaded post with the next page on its way (slowly). */
async function atLastWhileNextPageLoads(posts: number): Promise<RenderedApp> {
  fake.addPosts(posts);
  slowNextPages();
  const app = await open();
  await app.waitFor("Post number 1 ");
  await app.press("G");
  await app.waitFor("Loading more…");
  return app;
}
const selectedLine = (frame: string): string => frame.split("\n").find((l) => l.startsWith("▸")) ?? "";
/** Pages of 50 from the fake's posts; every page after the first takes 400 ms. */
function slowNextPages(): void {
  fake.stub.on("GET", "/api/v1/timeline", (req) => {
    const cursor = req.query.get("cursor");
    const index = cursor ? fake.posts.findIndex((p) => p.id === cursor) + 1 : 0;
    const posts = fake.posts.slice(index, index + 50);
    const hasMore = index + 50 < fake.posts.length;
    return { body: { posts, next_cursor: hasMore ? posts[posts.length - 1]!.id : null, has_more: hasMore }, delayMs: cursor ? 400 : 0 };
  });
}

describe("Timeline", () => {
  it("with a stored session goes straight to the timeline, newest first, first post selected", async () => {
    fake.addPosts(3);
    const app = await open();
    const frame = await app.waitFor("Post number 3");
    expect(frame).toContain("@alice");
    expect(selectedLine(frame)).toContain("@bob · 1m");
    expect(frame.indexOf("Post number 1 ")).toBeLessThan(frame.indexOf("Post number 2 "));
  });

  it("while a stored session is checked, the header already names its user and no log-in hints show", async () => {
    fake.stub.on("GET", "/api/v1/users/me", () => ({ body: { user: fake.me }, delayMs: 300 }));
    app = renderApp({ serverUrl: fake.url, tokens: fake.tokens });
    const frame = await app.waitFor("Loading…");
    expect(frame).toContain("niotebook · @alice");
    expect(frame).not.toMatch(/Tab next|Enter submit/);
    await app.waitFor((f) => !f.includes("Loading…"));
  });

  it("shows the empty state", async () => {
    const app = await open();
    await app.waitFor("No posts yet — press n to write the first one.");
  });

  it("j/k, arrows, g/G move the selection and keep it in sight", async () => {
    fake.addPosts(30);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("j", "j", KEY.down);
    expect(app.frame().split("\n").find((l) => l.startsWith("▸"))).toContain("4m");
    await app.press("k");
    expect(selectedLine(app.frame())).toContain("3m");
    await app.press("G");
    const frame = await app.waitFor((f) => f.includes("Post number 30 "));
    expect(frame).toContain("Post number 30 ");
    expect(frame).not.toContain("Post number 1 ");
    await app.press("g");
    await app.waitFor("Post number 1 ");
    await app.press(KEY.end);
    await app.waitFor("Post number 30 ");
    await app.press(KEY.home);
    await app.waitFor("Post number 1 ");
  });

  it("Space/PgDn and b/PgUp move by a page", async () => {
    fake.addPosts(30);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press(" ");
    expect(app.frame()).not.toContain("Post number 1 ");
    await app.press("b");
    await app.waitFor("Post number 1 ");
    await app.press(KEY.pageDown, KEY.pageUp);
    expect(app.frame()).toContain("Post number 1 ");
  });

  it("scrolling past the last loaded post fetches the next page and never shows a post twice", async () => {
    fake.addPosts(120);
    const app = await open({ rows: 40 });
    await app.waitFor("Post number 1 ");
    const seen = new Set<string>();
    for (let i = 0; i < 130; i++) {
      await app.press("j");
      for (const m of app.frame().matchAll(/Post number (\d+) /g)) seen.add(m[1]!);
      if (app.frame().includes("You've reached the oldest post")) break;
    }
    await app.waitFor("You've reached the oldest post");
    expect(seen.size).toBe(120);
    const pages = fake.stub.requests.filter((r) => r.path === "/api/v1/timeline");
    expect(pages.length).toBe(3);
    // the list holds each post once
    const frame = app.frame();
    const numbers = [...frame.matchAll(/Post number (\d+) /g)].map((m) => m[1]);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it("shows a spinner line while the next page loads", async () => {
    const app = await atLastWhileNextPageLoads(60);
    await app.waitFor((f) => !f.includes("Loading more…"));
    await app.press("j");
    await app.waitFor("Post number 51 ");
  });

  it("keys pressed past the last loaded post while the next page loads still move the selection", async () => {
    const app = await atLastWhileNextPageLoads(120);
    for (let i = 0; i < 3; i++) await app.press("j");
    // Post number N is N minutes old: the 50th is the last of the first page, three more is the 53rd.
    await app.waitFor((f) => !f.includes("Loading more…") && selectedLine(f).includes("· 53m"));
  });

  it("r refreshes and shows new posts", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    fake.posts.unshift({ ...fake.posts[0]!, id: crypto.randomUUID(), content: "Brand new post", created_at: new Date().toISOString() });
    await app.press("r");
    await app.waitFor("Brand new post");
  });

  it("keeps the last good timeline and says what failed when the server goes away", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await fake.stub.close();
    await app.press("r");
    const frame = await app.waitFor(`Can't reach server at ${fake.url}`);
    expect(frame).toContain("Post number 1 ");
  });

  it("keys pressed past the end during a refresh are not kept for after it", async () => {
    fake.addPosts(120);
    let firstPages = 0;
    fake.stub.on("GET", "/api/v1/timeline", (req) => {
      const cursor = req.query.get("cursor");
      const index = cursor ? fake.posts.findIndex((p) => p.id === cursor) + 1 : 0;
      const posts = fake.posts.slice(index, index + 50);
      const hasMore = index + 50 < fake.posts.length;
      return { body: { posts, next_cursor: hasMore ? posts[posts.length - 1]!.id : null, has_more: hasMore }, delayMs: !cursor && firstPages++ > 0 ? 400 : 0 };
    });
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("r");
    await app.waitFor("Refreshing…");
    // While the refresh is on its way no next page loads: G reaches the 50th post, j j go past it.
    await app.press("G");
    await app.press("j");
    await app.press("j");
    await app.waitFor((f) => !f.includes("Refreshing…") && selectedLine(f).includes("· 50m"));
    await app.press("k");
    // One up from the 50th is the 49th; a kept "two past the end" would land on the 51st.
    await app.waitFor((f) => selectedLine(f).includes("· 49m"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(selectedLine(app.frame())).toContain("· 49m");
  });

  it("r at the top shows the new posts, selecting the newest; further down it keeps its place", async () => {
    fake.addPosts(3);
    const app = await open();
    await app.waitFor("Post number 1 ");
    fake.addPosts(1, fake.me, new Date(Date.now() - 1_000));
    await app.press("r");
    const frame = await app.waitFor("Post number 4 ");
    expect(selectedLine(frame)).toContain("@alice");
    await app.press("j");
    await app.press("j");
    // Newest first: alice's new post, then posts 1, 2, 3 (1, 2 and 3 minutes old).
    const before = selectedLine(await app.waitFor((f) => selectedLine(f).includes("· 2m")));
    fake.addPosts(1, fake.me, new Date(Date.now() - 500));
    await app.press("r");
    await app.waitFor("Post number 5 ");
    expect(selectedLine(app.frame())).toBe(before);
  });

  it("says the timeline could not be loaded, and r tries again", async () => {
    fake.addPosts(2);
    let fail = true;
    fake.stub.on("GET", "/api/v1/timeline", () =>
      fail ? apiError(503, "unavailable", "The database is unavailable") : { body: { posts: fake.posts, next_cursor: null, has_more: false } });
    app = renderApp({ serverUrl: fake.url, tokens: fake.tokens });
    await app.waitFor("Couldn't load — press r to try again.");
    fail = false;
    await app.press("r");
    await app.waitFor("Post number 1 ");
  });

  it("shows the rate-limit wait from Retry-After", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    fake.stub.on("GET", "/api/v1/timeline", () => ({ ...apiError(429, "rate_limited", "Slow down"), headers: { "retry-after": "12" } }));
    await app.press("r");
    const frame = await app.waitFor("Rate limited — try again in 12s");
    expect(frame).toContain("Post number 1 ");
  });

  it("on 401 token_expired refreshes once and carries on", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    fake.validAccess.clear(); // the access token has expired server-side
    fake.stub.on("GET", "/api/v1/timeline", (req) =>
      fake.validAccess.has(String(req.headers.authorization).slice(7))
        ? { body: { posts: fake.posts, next_cursor: null, has_more: false } }
        : apiError(401, "token_expired", "Access token expired"),
    );
    await app.press("r");
    await app.waitFor(() => fake.stub.requests.some((r) => r.path === "/api/v1/auth/refresh"));
    await app.waitFor("Post number 1 ");
    expect(fake.stub.requests.filter((r) => r.path === "/api/v1/auth/refresh")).toHaveLength(1);
    expect(app.frame()).not.toContain("Session expired");
  });

  it("two requests expiring together refresh the session only once", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    fake.validAccess.clear();
    fake.stub.on("GET", "/api/v1/timeline", (req) =>
      fake.validAccess.has(String(req.headers.authorization).slice(7))
        ? { body: { posts: fake.posts, next_cursor: null, has_more: false } }
        : { ...apiError(401, "token_expired", "Access token expired"), delayMs: 30 },
    );
    fake.stub.on("POST", "/api/v1/auth/refresh", () => {
      const tokens = makeTokens(fake.me);
      fake.validAccess.add(tokens.access_token);
      return { body: { tokens }, delayMs: 50 };
    });
    await app.press("r", "r");
    await app.waitFor(() => fake.stub.requests.filter((r) => r.path === "/api/v1/timeline").length >= 5);
    await app.waitFor("Post number 1 ");
    expect(fake.stub.requests.filter((r) => r.path === "/api/v1/auth/refresh")).toHaveLength(1);
  });

  it("when refreshing fails, goes to log in with 'Session expired'", async () => {
    fake.addPosts(1);
    app = renderApp({ serverUrl: fake.url, tokens: makeTokens(fake.me, { expiresInMs: -1000 }) });
    fake.stub.on("POST", "/api/v1/auth/refresh", () => apiError(401, "token_expired", "Refresh token expired"));
    const frame = await app.waitFor("Session expired — please log in again");
    expect(frame).toContain("Log in to niotebook");
    expect(existsSync(join(app.configDir, "auth.json"))).toBe(false);
  });

  it("v shows the whole post in its thread (alone on a v1 server) and Esc goes back", async () => {
    // Cut on the timeline's card (at most the content height minus two), whole in the thread.
    const long = Array.from({ length: 19 }, (_, i) => `l${i}`).join("\n");
    fake.addPosts(1);
    fake.posts[0]!.content = long;
    const app = await open({ rows: 24 });
    const card = await app.waitFor("… +");
    expect(card).not.toContain("l18");
    expect(card).toMatch(/… \+\d+ lines/);
    await app.press("v");
    const full = await app.waitFor((f) => f.includes("Thread") && f.includes("l18"));
    expect(full).toContain("l0");
    expect(full).not.toContain("… +");
    await app.press(KEY.escape);
    await app.waitFor("… +");
    expect(app.exited()).toBe(false);
  });

  it("Enter opens the author's profile, p opens your own", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press(KEY.enter);
    let frame = await app.waitFor("Joined Feb 2026");
    expect(frame).toContain("@bob");
    await app.press(KEY.escape);
    await app.waitFor("[2 Global]");
    await app.press("p");
    frame = await app.waitFor("You haven't posted yet");
    expect(frame).toContain("Joined");
  });

  it("d deletes your own post after y, keeps it after n, refuses others' posts", async () => {
    fake.addPosts(1, fake.me);
    fake.addPosts(1, fake.users[1], new Date(Date.now() - 3_600_000));
    const app = await open();
    await app.waitFor("Post number 1 by alice");
    await app.press("d");
    await app.waitFor("Delete this post? y/n");
    await app.press("n");
    await app.waitFor((f) => !f.includes("Delete this post?"));
    expect(app.frame()).toContain("Post number 1 by alice");
    await app.press("d");
    await app.waitFor("Delete this post? y/n");
    await app.press("Y"); // with Shift held, or Caps Lock on
    await app.waitFor("Post deleted");
    expect(app.frame()).not.toContain("by alice");
    expect(fake.posts.some((p) => p.author_id === fake.me.id)).toBe(false);
    await app.press("d");
    await app.waitFor("You can only delete your own posts");
  });

  it("r shows progress in the status line while the loaded list stays on screen", async () => {
    fake.addPosts(3);
    let calls = 0;
    fake.stub.on("GET", "/api/v1/timeline", () => ({
      body: { posts: fake.posts.slice(0, 50), next_cursor: null, has_more: false }, delayMs: calls++ === 0 ? 0 : 400,
    }));
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("r");
    const during = await app.waitFor("Refreshing…");
    expect(during).toContain("Post number 1 ");
    await app.waitFor((f) => !f.includes("Refreshing…") && f.includes("j/k move"));
  });

  it("? opens help for the timeline, generated from the key table", async () => {
    const app = await open();
    await app.press("?");
    const frame = await app.waitFor("Keys — Global");
    for (const text of ["Next post", "Write a post", "Delete your post", "Like / unlike", "Home: you and"]) expect(frame).toContain(text);
    await app.press(KEY.escape);
    await app.waitFor((f) => !f.includes("Keys —"));
  });

  it("? in the thread view lists the thread's keys", async () => {
    fake.addPosts(1);
    const app = await open({ rows: 40 });
    await app.waitFor("Post number 1 ");
    await app.press("v");
    await app.waitFor("Thread");
    await app.press("?");
    const frame = await app.waitFor("Keys — Thread");
    for (const text of ["Go back", "Like / unlike", "Reply to the post", "Next post"]) expect(frame).toContain(text);
    expect(frame).not.toContain("Write a post");
  });

  it("help scrolls when the terminal is too short to list every key", async () => {
    fake.addPosts(5);
    const app = await open({ columns: 40, rows: 10 });
    await app.press("?");
    const first = await app.waitFor("Keys — Global");
    const total = Number(/–\d+ of (\d+)/.exec(first)?.[1]);
    expect(total).toBeGreaterThan(8);
    expect(first).not.toContain("Quit (not while");
    await app.type("j".repeat(total)); // one run of keys, as key repeat delivers them
    // Wait for the end of the list itself: the keys land one render at a time.
    const last = await app.waitFor(new RegExp(`–${total} of ${total}`));
    expect(last).toContain("Quit (not while");
    await app.press("G"); // not a help key: swallowed, the timeline does not move underneath
    await app.press(KEY.escape);
    const after = await app.waitFor((f) => !f.includes("Keys —"));
    expect(selectedLine(after)).toContain("· 1m");
  });

  it("status hints come back after a message at the next key", async () => {
    const app = await open();
    await app.waitFor("j/k move");
    await app.press("d"); // nothing selected
    await app.press("k");
    await app.waitFor("j/k move");
  });

  it("Esc never quits; q quits; Ctrl+C quits", async () => {
    const app = await open();
    await app.press(KEY.escape, KEY.escape);
    expect(app.exited()).toBe(false);
    await app.press("q");
    expect(app.exited()).toBe(true);
  });

  it("Ctrl+C quits from anywhere, even while composing", async () => {
    const app = await open();
    await app.press("n");
    await app.type("unsent words");
    await app.press(KEY.ctrl("c"));
    expect(app.exited()).toBe(true);
    expect(app.services.drafts.load(fake.me.id)).toBe("unsent words");
  });

  it("a paste outside a text field is ignored, not read as keys", async () => {
    fake.addPosts(5);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("\x1b[200~", "jjnq", "\x1b[201~");
    expect(app.exited()).toBe(false);
    expect(app.frame()).not.toContain("New post");
    expect(selectedLine(app.frame())).toContain("· 1m");
  });

  it("says the terminal is too small below 40×10 and redraws on resize", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.resize(39, 24);
    // (wrapped to the narrow width)
    expect(app.frame().replace(/\s+/g, " ")).toContain("Terminal too small — resize to at least 40×10");
    for (const line of app.frame().split("\n")) {
      expect(line.length).toBeLessThanOrEqual(39);
      expect(line).not.toMatch(/^ /); // wrapped at a space without carrying it over
    }
    await app.resize(80, 9);
    expect(app.frame()).toContain("Terminal too small");
    await app.resize(40, 10);
    const frame = await app.waitFor("Post number 1 ");
    expect(frame).not.toContain("Terminal too small");
    for (const line of frame.split("\n")) expect(line.length).toBeLessThanOrEqual(40);
  });

  it("keeps its place while too small: keys are not acted on blind, q still quits", async () => {
    fake.addPosts(5);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("j");
    await app.press("j");
    await app.resize(39, 24);
    await app.waitFor("Terminal too small");
    await app.press("n"); // would open compose, unseen
    await app.press("j");
    await app.resize(80, 24);
    const frame = await app.waitFor("Post number 1 ");
    expect(frame).not.toContain("New post");
    expect(selectedLine(frame)).toContain("· 3m"); // where j j left it; the j typed blind did nothing
    await app.resize(39, 24);
    await app.press("q");
    expect(app.exited()).toBe(true);
  });

  it("L asks first, then logs out: revokes on the server and deletes auth.json", async () => {
    const app = await open();
    await app.press("L");
    await app.waitFor("Log out of @alice? y/n");
    await app.press("n");
    await app.waitFor("Still logged in");
    expect(fake.stub.requests.some((r) => r.path === "/api/v1/auth/logout")).toBe(false);
    await app.press("L");
    await app.waitFor("Log out of @alice? y/n");
    await app.press("y");
    await app.waitFor("Log in to niotebook");
    expect(fake.stub.requests.some((r) => r.path === "/api/v1/auth/logout")).toBe(true);
    expect(existsSync(join(app.configDir, "auth.json"))).toBe(false);
  });

  it("Ctrl+L redraws the screen (clear, then the whole frame) and logs nobody out, even in the compose box", async () => {
    const app = await open();
    await app.waitFor("@alice");
    const before = app.frame();
    const written = app.writes().length;
    await app.press(KEY.ctrl("l"));
    const after = app.writes().slice(written).join("");
    expect(after).toContain("\x1b[2J\x1b[H");
    expect(app.frame()).toBe(before);
    expect(fake.stub.requests.some((r) => r.path === "/api/v1/auth/logout")).toBe(false);
    await app.press("n");
    await app.waitFor("New post");
    await app.type("hi");
    await app.press(KEY.ctrl("l"));
    expect(app.writes().slice(written).join("").split("\x1b[2J").length).toBe(3);
    expect(app.frame()).toContain("hi");
    expect(app.frame()).not.toContain("hil"); // not typed as text either
  });

  it("after logging out the next log-in starts at the newest post, not where the last account was", async () => {
    fake.addPosts(10);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("j", "j", "j");
    expect(selectedLine(app.frame())).toContain("· 4m");
    await app.press("L", "y");
    await app.waitFor("Log in to niotebook");
    await app.type("alice@example.com");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.enter);
    const frame = await app.waitFor((f) => f.includes("Welcome, @alice") && f.includes("Post number 1 "));
    expect(selectedLine(frame)).toContain("· 1m");
  });

  it("logging out with the server unreachable logs out here and says the session was not ended there", async () => {
    const app = await open();
    fake.stub.on("POST", "/api/v1/auth/logout", () => apiError(503, "unavailable", "The database is unavailable"));
    await app.press("L", "y");
    const frame = await app.waitFor("Log in to niotebook");
    expect(frame).toContain("Logged out here — the server did not confirm ending the session");
    expect(existsSync(join(app.configDir, "auth.json"))).toBe(false);
  });
});
