// Blocks, mutes and reports from the client (tui.md "Profiles" m/B/U, "Cards" !) against the
// fake API.
import { describe, expect, it } from "vitest";
import { fakeSession } from "./helpers/fake-session.js";
import { KEY, type RenderedApp } from "./helpers/render-app.js";

const session = fakeSession();

async function openBob(): Promise<RenderedApp> {
  session.fake.addPosts(2);
  const app = session.render();
  await app.waitFor("Post number 1 ");
  await app.press(KEY.enter);
  await app.waitFor((f) => f.includes("Joined") && f.includes("Post number 1 by bob"));
  return app;
}
const bobId = () => session.fake.users[1]!.id;

describe("blocks, mutes and reports", () => {
  it("B asks first: n keeps things, y blocks and the profile's posts go", async () => {
    const app = await openBob();
    await app.press("B");
    await app.waitFor("Block @bob? y/n");
    await app.press("n");
    await app.waitFor("Not blocked");
    expect(session.fake.blocks.size).toBe(0);
    await app.press("B");
    await app.waitFor("Block @bob? y/n");
    await app.press("y");
    await app.waitFor((f) => f.includes("Blocked @bob") && !f.includes("Post number 1 by bob"));
    expect(session.fake.blocks.has(bobId())).toBe(true);
    expect(app.frame()).toMatch(/Joined.*Blocked/);
    // B again unblocks, after asking.
    await app.press("B");
    await app.waitFor("Unblock @bob? y/n");
    await app.press("y");
    await app.waitFor((f) => f.includes("Unblocked @bob") && f.includes("Post number 1 by bob"));
  });

  it("a block takes the user's posts off the loaded timelines at once, without a refresh", async () => {
    session.fake.addPosts(2);
    session.fake.addPosts(1, session.fake.me, new Date(Date.now() - 3_600_000));
    const app = session.render();
    await app.waitFor((f) => f.includes("Post number 1 by bob") && f.includes("Post number 3 by alice"));
    await app.press(KEY.enter);
    await app.waitFor((f) => f.includes("Joined") && f.includes("@bob"));
    const timelineFetches = () => session.fake.stub.requests.filter((r) => r.path === "/api/v1/timeline").length;
    const fetched = timelineFetches();
    await app.press("B");
    await app.waitFor("Block @bob? y/n");
    await app.press("y");
    await app.waitFor("Blocked @bob");
    await app.press(KEY.escape);
    const frame = await app.waitFor((f) => f.includes("[2 Global]") && f.includes("Post number 3 by alice"));
    expect(frame).not.toContain("by bob");
    expect(frame).not.toContain("Timeline updated");
    expect(timelineFetches()).toBe(fetched);
  });

  it("m mutes and unmutes", async () => {
    const app = await openBob();
    await app.press("m");
    await app.waitFor("Muted @bob");
    expect(session.fake.mutes.has(bobId())).toBe(true);
    await app.press("m");
    await app.waitFor("Unmuted @bob");
    expect(session.fake.mutes.size).toBe(0);
  });

  it("U reports the user with the reason typed; an empty reason is refused client-side", async () => {
    const app = await openBob();
    await app.press("U");
    await app.waitFor("Report @bob");
    await app.press(KEY.enter);
    await app.waitFor("Say why you report this");
    await app.type("Spam, again");
    await app.waitFor("11/500");
    await app.press(KEY.enter);
    await app.waitFor("Reported — thank you");
    expect(session.fake.reports).toEqual([{ user_id: bobId(), reason: "Spam, again" }]);
  });

  it("! reports the selected post; Esc cancels without sending", async () => {
    session.fake.addPosts(1);
    const app = session.render();
    await app.waitFor("Post number 1 ");
    await app.press("!");
    await app.waitFor("Report @bob's post");
    await app.type("x");
    await app.press(KEY.escape);
    await app.waitFor("Not reported");
    await app.press("!");
    await app.waitFor("Report @bob's post");
    await app.type("Misleading");
    await app.press(KEY.enter);
    await app.waitFor("Reported — thank you");
    expect(session.fake.reports).toEqual([{ post_id: session.fake.posts[0]!.id, reason: "Misleading" }]);
  });
});
