// The notifications view and the header's unread count (tui.md "Notifications", "Timelines")
// against the fake API's social routes.
import { describe, expect, it } from "vitest";
import { fakeSession } from "./helpers/fake-session.js";
import { KEY, type RenderedApp } from "./helpers/render-app.js";

const session = fakeSession();

async function open(opts: { columns?: number } = {}): Promise<RenderedApp> {
  const app = session.render(opts);
  await app.waitFor((f) => f.includes("niotebook · @alice") && !f.includes("Loading…"));
  return app;
}
const bob = () => session.fake.users[1]!;
const header = (frame: string): string => frame.split("\n")[0]!;

describe("notifications", () => {
  it("the header counts unread ones; 3 lists them newest first, marks them read, and the count goes", async () => {
    const [post] = session.fake.addPosts(1, session.fake.me);
    session.fake.notify("follow", bob());
    session.fake.notify("like", bob(), post);
    session.fake.notify("reply", bob(), session.fake.reply(bob(), post!, "Nice one"));
    const app = await open();
    await app.waitFor((f) => header(f).includes("3 Notifications (3)"));
    await app.press("3");
    const frame = await app.waitFor("followed you");
    const lines = frame.split("\n");
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(lines[at("↩ @bob replied")]).toMatch(/^▸ • ↩ @bob replied {2}Nice one/);
    expect(lines[at("♥ @bob liked your post")]).toContain("• ♥ @bob liked your post  Post number 1 by alice");
    expect(at("replied")).toBeLessThan(at("liked"));
    expect(at("liked")).toBeLessThan(at("followed"));
    // Read at once: the header's count goes, and the server was told up to the newest.
    await app.waitFor((f) => header(f).includes("[3 Notifications]"));
    const read = session.fake.stub.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/notifications/read");
    await app.waitFor(() => read.length > 0 || session.fake.stub.requests.some((r) => r.path === "/api/v1/notifications/read"));
    read.splice(0, read.length, ...session.fake.stub.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/notifications/read"));
    expect(read.map((r) => r.body)).toEqual([{ up_to_id: session.fake.notifications[0]!.id }]);
    expect(session.fake.notifications.every((n) => n.read)).toBe(true);
  });

  it("narrow header shows N(4)", async () => {
    for (let i = 0; i < 4; i++) session.fake.notify("follow", bob());
    const app = await open({ columns: 50 });
    await app.waitFor((f) => /H \[G\] N\(4\)\s*$/.test(header(f)));
  });

  it("Enter opens the post's thread, or the actor's profile for a follow; Esc comes back", async () => {
    const [post] = session.fake.addPosts(1, session.fake.me);
    session.fake.notify("follow", bob());
    session.fake.notify("like", bob(), post);
    const app = await open();
    await app.press("3");
    await app.waitFor("followed you");
    await app.press(KEY.enter);
    await app.waitFor((f) => header(f).includes("Thread") && f.includes("Post number 1 by alice"));
    await app.press(KEY.escape);
    await app.waitFor("liked your post");
    await app.press("j");
    await app.waitFor((f) => (f.split("\n").find((l) => l.startsWith("▸")) ?? "").includes("followed you"));
    await app.press(KEY.enter);
    await app.waitFor((f) => header(f).includes("Profile") && f.includes("@bob"));
  });

  it("pages: going down loads the next page", async () => {
    for (let i = 0; i < 60; i++) session.fake.notify("follow", bob());
    const app = await open({});
    await app.press("3");
    await app.waitFor("followed you");
    await app.press("G");
    await app.press("G");
    await app.waitFor(() => session.fake.stub.requests.some((r) => r.path === "/api/v1/notifications" && r.query.get("cursor") !== null));
  });
});
