// Live updates in the app (tui.md "Live") against the fake API's stream: the bar, `.`,
// deletions in place, the notification badge, a reset offered through the bar.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makePost } from "./helpers/fixtures.js";
import { startFakeApi, type FakeApi } from "./helpers/fake-api.js";
import { renderApp, type RenderedApp } from "./helpers/render-app.js";

let fake: FakeApi;
let app: RenderedApp | null = null;
beforeEach(async () => {
  fake = await startFakeApi({ social: true });
});
afterEach(async () => {
  app?.cleanup();
  app = null;
  await fake.close();
});

async function open(): Promise<RenderedApp> {
  app = renderApp({ serverUrl: fake.url, tokens: fake.tokens });
  await app.waitFor((f) => f.includes("niotebook · @alice") && !f.includes("Loading…"));
  await app.waitFor(() => fake.streams.length === 1);
  return app;
}
const bob = () => fake.users[1]!;
const header = (frame: string): string => frame.split("\n")[0]!;
const selectedLine = (frame: string): string => frame.split("\n").find((l) => l.startsWith("▸")) ?? "";

describe("live", () => {
  it("new posts wait under a bar without moving what is read; . shows them and selects the newest", async () => {
    fake.addPosts(5);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("j");
    await app.waitFor((f) => selectedLine(f).includes("@bob") && f.includes("Post number 2 "));
    const before = app.frame();
    const selectedBefore = before.split("\n").findIndex((l) => l.startsWith("▸"));
    for (const text of ["Live one", "Live two", "Live three"]) {
      const post = makePost(bob(), text, new Date());
      fake.posts.unshift(post);
      fake.emit("post", fake.view(post), "global");
    }
    let frame = await app.waitFor("▲ 3 new posts — press . to show");
    expect(frame).not.toContain("Live one");
    // The selected card is the same post (one line lower: the bar took the top line).
    expect(frame.split("\n").findIndex((l) => l.startsWith("▸"))).toBeGreaterThanOrEqual(selectedBefore);
    await app.press(".");
    frame = await app.waitFor((f) => f.includes("Live three") && !f.includes("new posts"));
    expect(frame.split("\n").findIndex((l) => l.includes("Live three"))).toBeLessThan(frame.split("\n").findIndex((l) => l.includes("Live one")));
    expect(frame.split("\n").findIndex((l) => l.startsWith("▸"))).toBeLessThanOrEqual(frame.split("\n").findIndex((l) => l.includes("Live three")));
  });

  it("g at the top shows what the bar announces", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    fake.emit("post", fake.view(makePost(bob(), "Fresh news", new Date())), "global");
    await app.waitFor("▲ 1 new post — press . to show");
    await app.press("g");
    await app.waitFor((f) => f.includes("Fresh news") && !f.includes("new post —"));
  });

  it("a deleted post disappears where it stands, the selection staying on its post", async () => {
    const posts = fake.addPosts(4);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("j", "j");
    await app.waitFor((f) => selectedLine(f).includes("@bob") && f.includes("Post number 3 "));
    const selectedText = (f: string) => {
      const lines = f.split("\n");
      return lines[lines.findIndex((l) => l.startsWith("▸")) + 1] ?? "";
    };
    await app.waitFor((f) => selectedText(f).includes("Post number 3 "));
    fake.emit("delete", { id: posts[0]!.id });
    const frame = await app.waitFor((f) => !f.includes("Post number 1 "));
    expect(selectedText(frame)).toContain("Post number 3 ");
  });

  it("notification events count in the header live", async () => {
    const app = await open();
    expect(header(app.frame())).toMatch(/3 Notifications\s*$/);
    for (let i = 0; i < 2; i++) fake.emit("notification", fake.notify("follow", bob()));
    await app.waitFor((f) => header(f).includes("3 Notifications (2)"));
  });

  it("a reset fetches the newest page in the background and offers it through the bar", async () => {
    fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    fake.posts.unshift(makePost(bob(), "Missed while away", new Date()));
    fake.emit("reset", {});
    await app.waitFor("▲ 1 new post — press . to show");
    expect(app.frame()).not.toContain("Missed while away");
    await app.press(".");
    await app.waitFor("Missed while away");
  });

  it("a cut stream reconnects with Last-Event-ID and the posts written meanwhile arrive", async () => {
    fake.addPosts(1);
    const app = await open();
    await app.waitFor("Post number 1 ");
    fake.emit("post", fake.view(makePost(bob(), "Before the cut", new Date())), "global");
    await app.waitFor("▲ 1 new post");
    const lastSeen = fake.events[fake.events.length - 1]!.id;
    fake.dropStreams();
    fake.emit("post", fake.view(makePost(bob(), "During the cut", new Date())), "global");
    await app.waitFor("▲ 2 new posts", 5_000);
    const streams = fake.stub.requests.filter((r) => r.path === "/api/v1/stream");
    expect(streams[streams.length - 1]!.headers["last-event-id"]).toBe(lastSeen);
  });
});
