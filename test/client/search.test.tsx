// The search line (tui.md "Search") and @ completion in the compose box, against the fake API.
import { describe, expect, it } from "vitest";
import { makeUser } from "./helpers/fixtures.js";
import { fakeSession } from "./helpers/fake-session.js";
import { KEY, type RenderedApp } from "./helpers/render-app.js";

const session = fakeSession();

async function open(): Promise<RenderedApp> {
  const app = session.render({ rows: 30 });
  await app.waitFor((f) => f.includes("niotebook · @alice") && !f.includes("Loading…"));
  return app;
}
const header = (frame: string): string => frame.split("\n")[0]!;

describe("search", () => {
  it("/ opens the line; Enter searches; Tab switches Posts and Users; Enter opens; Esc closes", async () => {
    session.fake.users.push(makeUser("bobby", { display_name: "Bobby Tables" }));
    session.fake.addPosts(3);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("/");
    await app.waitFor((f) => f.includes("Search") && f.includes("[Posts]"));
    await app.type("bob");
    await app.press(KEY.enter);
    let frame = await app.waitFor((f) => f.includes("▸ @bob  Post number 1 by bob"));
    expect(frame).toContain("Post number 3 by bob");
    expect(session.fake.stub.requests.find((r) => r.path === "/api/v1/search/posts")!.query.get("q")).toBe("bob");
    await app.press(KEY.tab);
    frame = await app.waitFor((f) => f.includes("[Users]") && f.includes("@bobby"));
    expect(frame).toMatch(/▸ @bob {2}/); // the exact username first
    await app.press(KEY.down);
    await app.waitFor((f) => /▸ @bobby/.test(f));
    await app.press(KEY.enter);
    await app.waitFor((f) => header(f).includes("Profile") && f.includes("Bobby Tables") && !f.includes("[Users]"));
    await app.press(KEY.escape);
    await app.waitFor((f) => f.includes("[2 Global]"));
    // A post result opens its thread; Esc closes the line without opening anything.
    await app.press("/");
    await app.type("number 2");
    await app.press(KEY.enter);
    await app.waitFor("▸ @bob  Post number 2 by bob");
    await app.press(KEY.enter);
    await app.waitFor((f) => header(f).includes("Thread") && f.includes("Post number 2 by bob"));
    await app.press(KEY.escape);
    await app.press("/");
    await app.waitFor("[Posts]");
    await app.press(KEY.escape);
    await app.waitFor((f) => !f.includes("[Posts]") && f.includes("[2 Global]"));
  });

  it("in compose, Tab right after @prefix completes a username; elsewhere it types a tab", async () => {
    session.fake.users.push(makeUser("carolyn"));
    const app = await open();
    await app.press("n");
    await app.waitFor("New post");
    await app.type("hi @caro");
    await app.press(KEY.tab);
    await app.waitFor("hi @carolyn ");
    expect(session.fake.stub.requests.find((r) => r.path === "/api/v1/search/users")!.query.get("q")).toBe("caro");
    await app.type("x");
    await app.press(KEY.tab);
    await app.type("y");
    await app.press(KEY.ctrl("s"));
    await app.waitFor("Posted");
    expect(session.fake.posts[0]!.content).toBe("hi @carolyn x\ty");
  });
});

describe("search results paging", () => {
  it("moving near the end of the loaded posts fetches the next page with the cursor, and the list goes on", async () => {
    const many = session;
    many.fake.addPosts(120);
    const app = await open();
    await app.press("/");
    await app.type("bob");
    await app.press(KEY.enter);
    await app.waitFor("▸ @bob  Post number 1 by bob");
    const searches = () => many.fake.stub.requests.filter((r) => r.path === "/api/v1/search/posts");
    expect(searches().map((r) => r.query.get("cursor"))).toEqual([null]);
    // 50 posts per page: down to the 46th asks for the second page, once.
    for (let i = 0; i < 45; i++) await app.press(KEY.down);
    await app.waitFor("▸ @bob  Post number 46 by bob");
    await app.waitFor(() => searches().length === 2);
    expect(searches()[1]!.query.get("cursor")).not.toBeNull();
    expect(searches()[1]!.query.get("q")).toBe("bob");
    // The list now goes past the first page's last post (number 50).
    for (let i = 0; i < 10; i++) await app.press(KEY.down);
    await app.waitFor("▸ @bob  Post number 56 by bob");
    // And on to the third page and the end: 120 posts in all, then no more requests.
    for (let i = 0; i < 70; i++) await app.press(KEY.down);
    await app.waitFor("▸ @bob  Post number 120 by bob");
    expect(searches().length).toBe(3);
    await app.press(KEY.down);
    await app.waitFor("▸ @bob  Post number 120 by bob");
    expect(searches().length).toBe(3);
  });
});
