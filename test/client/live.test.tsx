// Live updates in the app (tui.md "Live") against the fake API's stream: the bar, `.`,
// deletions in place, the notification badge, a reset offered through the bar.
import { describe, expect, it } from "vitest";
import { makePost } from "./helpers/fixtures.js";
import { fakeSession } from "./helpers/fake-session.js";
import { type RenderedApp } from "./helpers/render-app.js";

const session = fakeSession();

async function open(): Promise<RenderedApp> {
  const app = session.render();
  await app.waitFor((f) => f.includes("niotebook · @alice") && !f.includes("Loading…"));
  await app.waitFor(() => session.fake.streams.length === 1);
  return app;
}
const bob = () => session.fake.users[1]!;
const header = (frame: string): string => frame.split("\n")[0]!;
const selectedLine = (frame: string): string => frame.split("\n").find((l) => l.startsWith("▸")) ?? "";

describe("live", () => {
  it("new posts wait under a bar without moving what is read; . shows them and selects the newest", async () => {
    session.fake.addPosts(5);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("j");
    await app.waitFor((f) => selectedLine(f).includes("@bob") && f.includes("Post number 2 "));
    const before = app.frame();
    const selectedBefore = before.split("\n").findIndex((l) => l.startsWith("▸"));
    for (const text of ["Live one", "Live two", "Live three"]) {
      const post = makePost(bob(), text, new Date());
      session.fake.posts.unshift(post);
      session.fake.emit("post", session.fake.view(post), "global");
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
    session.fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    session.fake.emit("post", session.fake.view(makePost(bob(), "Fresh news", new Date())), "global");
    await app.waitFor("▲ 1 new post — press . to show");
    await app.press("g");
    await app.waitFor((f) => f.includes("Fresh news") && !f.includes("new post —"));
  });

  it("a deleted post disappears where it stands, the selection staying on its post", async () => {
    const posts = session.fake.addPosts(4);
    const app = await open();
    await app.waitFor("Post number 1 ");
    await app.press("j", "j");
    await app.waitFor((f) => selectedLine(f).includes("@bob") && f.includes("Post number 3 "));
    const selectedText = (f: string) => {
      const lines = f.split("\n");
      return lines[lines.findIndex((l) => l.startsWith("▸")) + 1] ?? "";
    };
    await app.waitFor((f) => selectedText(f).includes("Post number 3 "));
    session.fake.emit("delete", { id: posts[0]!.id });
    const frame = await app.waitFor((f) => !f.includes("Post number 1 "));
    expect(selectedText(frame)).toContain("Post number 3 ");
  });

  it("notification events count in the header live", async () => {
    const app = await open();
    expect(header(app.frame())).toMatch(/3 Notifications\s*$/);
    for (let i = 0; i < 2; i++) session.fake.emit("notification", session.fake.notify("follow", bob()));
    await app.waitFor((f) => header(f).includes("3 Notifications (2)"));
  });

  it("a reset fetches the newest page in the background and offers it through the bar", async () => {
    session.fake.addPosts(2);
    const app = await open();
    await app.waitFor("Post number 1 ");
    session.fake.posts.unshift(makePost(bob(), "Missed while away", new Date()));
    session.fake.emit("reset", {});
    await app.waitFor("▲ 1 new post — press . to show");
    expect(app.frame()).not.toContain("Missed while away");
    await app.press(".");
    await app.waitFor("Missed while away");
  });

  it("a cut stream reconnects with Last-Event-ID and the posts written meanwhile arrive", async () => {
    session.fake.addPosts(1);
    const app = await open();
    await app.waitFor("Post number 1 ");
    session.fake.emit("post", session.fake.view(makePost(bob(), "Before the cut", new Date())), "global");
    await app.waitFor("▲ 1 new post");
    const lastSeen = session.fake.events[session.fake.events.length - 1]!.id;
    session.fake.dropStreams();
    session.fake.emit("post", session.fake.view(makePost(bob(), "During the cut", new Date())), "global");
    await app.waitFor("▲ 2 new posts", 5_000);
    const streams = session.fake.stub.requests.filter((r) => r.path === "/api/v1/stream");
    expect(streams[streams.length - 1]!.headers["last-event-id"]).toBe(lastSeen);
  });

  it("the other timeline's stream resumes where the last one stopped: what was written meanwhile is announced", async () => {
    session.fake.addPosts(1);
    const app = await open();
    await app.waitFor("Post number 1 ");
    session.fake.emit("post", session.fake.view(makePost(bob(), "Seen on Global", new Date())), "global");
    await app.waitFor("▲ 1 new post");
    await app.press(".");
    await app.waitFor((f) => f.includes("Seen on Global") && !f.includes("▲"));
    await app.press("1");
    await app.waitFor(() => session.fake.streams.some((s) => s.timeline === "home"));
    // Not in the fake's timeline: only the stream can bring it.
    session.fake.emit("post", session.fake.view(makePost(bob(), "Written while on Home", new Date())), "global");
    await app.press("2");
    await app.waitFor("▲ 1 new post");
    await app.press(".");
    await app.waitFor("Written while on Home");
  });
});
