// The social client (tui.md, "The social client") against the fake API's social routes:
// tabs, cards, the post keys (optimistic, rolled back on refusal), threads, profiles.
import { describe, expect, it } from "vitest";
import { makePost, makeUser } from "./helpers/fixtures.js";
import { fakeSession } from "./helpers/fake-session.js";
import { apiError } from "./helpers/stub-server.js";
import { KEY, type RenderedApp } from "./helpers/render-app.js";

const session = fakeSession();

async function open(opts: { columns?: number; rows?: number; colors?: boolean } = {}): Promise<RenderedApp> {
  const app = session.render(opts);
  await app.waitFor((f) => f.includes("niotebook · @alice") && !f.includes("Loading…"));
  return app;
}
const bob = (): (typeof session.fake.users)[number] => session.fake.users[1]!;
/** The escape that starts an SGR colour sequence in a raw frame, kept out of regex literals. */
const ESC = "\x1b";
const selectedLine = (frame: string): string => frame.split("\n").find((l) => l.startsWith("▸")) ?? "";
const requests = (method: string, path: RegExp) => session.fake.stub.requests.filter((r) => r.method === method && path.test(r.path));

describe("timelines", () => {
  it("opens Global for someone who follows no one; 1 shows Home with its empty message, 2 Global again", async () => {
    session.fake.addPosts(2);
    const app = await open();
    let frame = await app.waitFor("Post number 1 ");
    expect(frame.split("\n")[0]).toContain("1 Home  [2 Global]  3 Notifications");
    await app.press("1");
    // The message wraps at 80 columns: read as one line.
    frame = await app.waitFor((f) => f.replace(/\n\s*/g, " ").includes("Your home feed shows people you follow — find them on Global (2) or with / search"));
    expect(frame.split("\n")[0]).toContain("[1 Home]  2 Global");
    await app.press("2");
    await app.waitFor((f) => f.includes("[2 Global]") && f.includes("Post number 1 "));
  });

  it("opens Home for someone who follows anyone, with their posts and reposts of others' posts", async () => {
    const carol = makeUser("carol");
    session.fake.users.push(carol);
    session.fake.follow(session.fake.me, bob());
    session.fake.addPosts(1, bob());
    const [carols] = session.fake.addPosts(1, carol, new Date(Date.now() - 3_600_000));
    session.fake.reposts.set(carols!.id, [{ by: bob().id, at: new Date().toISOString() }]);
    const app = await open();
    const frame = await app.waitFor((f) => f.includes("[1 Home]") && f.includes("rp @bob reposted"));
    expect(frame).toContain("Post number 1 by bob");
    const lines = frame.split("\n");
    // The repost entry is newest (at the repost), the original's author under the repost line.
    expect(lines[lines.findIndex((l) => l.includes("rp @bob reposted")) + 1]).toContain("@carol · 1h");
  });

  it("after log-in opens Home when the user follows anyone", async () => {
    session.fake.follow(session.fake.me, bob());
    session.fake.addPosts(1, bob());
    const app = session.render({ tokens: undefined });
    await app.waitFor("Log in to niotebook");
    await app.type("alice@example.com");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.enter);
    await app.waitFor((f) => f.includes("Welcome, @alice") && f.includes("[1 Home]") && f.includes("Post number 1 by bob"));
  });

  it("below 60 columns the tabs shorten", async () => {
    const app = await open({ columns: 50 });
    expect(app.frame().split("\n")[0]).toMatch(/H \[G\] N\s*$/);
  });

  it("following someone reloads Home the next time it is shown", async () => {
    session.fake.addPosts(1, bob());
    const app = await open();
    await app.press("1");
    await app.waitFor("Your home feed shows people you follow");
    await app.press("2");
    await app.waitFor("Post number 1 by bob");
    await app.press(KEY.enter);
    await app.waitFor("Joined");
    await app.press("f");
    await app.waitFor("Following @bob");
    await app.press("1");
    await app.waitFor((f) => f.includes("[1 Home]") && f.includes("Post number 1 by bob"));
  });
});

describe("cards", () => {
  it("show the display name, the username and time, the reply line and the counts (ASCII without colours)", async () => {
    bob().display_name = "Bob Builder";
    const [parent] = session.fake.addPosts(1, session.fake.me, new Date(Date.now() - 7_200_000));
    session.fake.reply(bob(), parent!, "yes @alice, see #rust", new Date(Date.now() - 60_000));
    session.fake.likes.set(parent!.id, new Set([bob().id]));
    const app = await open();
    const frame = await app.waitFor("see #rust");
    const lines = frame.split("\n");
    const head = lines.findIndex((l) => l.includes("Bob Builder @bob · 1m"));
    expect(head).toBeGreaterThanOrEqual(0);
    expect(lines[head + 1]).toBe("  re @alice");
    expect(frame).toContain("re 0  rp 0  lk 0");
    expect(frame).toContain("re 1  rp 0  lk 1");
  });

  it("with colours: symbols, highlighted mentions and tags, the caller's like in the accent colour", async () => {
    const [post] = session.fake.addPosts(1, bob());
    post!.content = "hello @alice #Rust @nobody";
    session.fake.likes.set(post!.id, new Set([session.fake.me.id]));
    const app = await open({ colors: true });
    await app.waitFor("♥ 1");
    const raw = app.rawFrame();
    expect(app.frame()).toContain("↩ 0  ♻ 0  ♥ 1");
    expect(raw).toContain("\x1b[94m#Rust");
    expect(raw).toContain("\x1b[94m@alice");
    expect(raw).not.toContain("\x1b[94m@nobody"); // no such user: the server mentions no one
    expect(raw).toContain("\x1b[1m\x1b[95m♥ 1"); // liked: the accent colour
    expect(raw).toContain("\x1b[2m  ↩ 0  ♻ 0  \x1b[22m"); // not reposted: dim
  });
});

describe("post keys", () => {
  it("l likes at once and unlikes; the server holds the like", async () => {
    const [post] = session.fake.addPosts(1);
    const app = await open();
    await app.waitFor("lk 0");
    await app.press("l");
    await app.waitFor("lk 1");
    await new Promise((r) => setTimeout(r, 100));
    expect(session.fake.likes.get(post!.id)?.has(session.fake.me.id)).toBe(true);
    await app.press("l");
    await app.waitFor("lk 0");
    expect(requests("DELETE", /\/like$/)).toHaveLength(1);
  });

  it("a post fetched well after the like was answered shows the server's counts, not the patch", async () => {
    const [post] = session.fake.addPosts(1);
    const app = await open();
    await app.waitFor("lk 0");
    await app.press("l");
    await app.waitFor("lk 1");
    session.fake.likes.get(post!.id)!.add("someone-else"); // another reader liked it meanwhile
    await app.press("r");
    await new Promise((r) => setTimeout(r, 200));
    expect(app.frame()).toContain("lk 1"); // within the counts' lag the patch stands
    await new Promise((r) => setTimeout(r, 2_100));
    await app.press("r");
    await app.waitFor("lk 2");
  });

  it("a like the server refuses shows at once, then goes back with the reason", async () => {
    session.fake.addPosts(1);
    session.fake.stub.on("POST", /^\/api\/v1\/posts\/[^/]+\/like$/, () => ({ ...apiError(403, "forbidden", "You cannot like this post"), delayMs: 300 }));
    const app = await open();
    await app.waitFor("lk 0");
    await app.press("l");
    await app.waitFor("lk 1"); // before the answer
    const frame = await app.waitFor("You cannot like this post");
    expect(frame).toContain("lk 0");
  });

  it("t reposts and undoes; a refused repost is rolled back", async () => {
    const [post] = session.fake.addPosts(1);
    const app = await open();
    await app.waitFor("rp 0");
    await app.press("t");
    await app.waitFor((f) => f.includes("rp 1") && f.includes("Reposted"));
    expect(session.fake.reposts.get(post!.id)?.map((r) => r.by)).toEqual([session.fake.me.id]);
    await app.press("t");
    await app.waitFor((f) => f.includes("rp 0") && f.includes("Repost undone"));
    session.fake.stub.on("POST", /^\/api\/v1\/posts\/[^/]+\/repost$/, () => ({ ...apiError(404, "not_found", "Post not found"), delayMs: 200 }));
    await app.press("t");
    await app.waitFor("rp 1");
    const frame = await app.waitFor("Post not found");
    expect(frame).toContain("rp 0");
  });

  it("R replies in a box titled Reply to @name; the reply answers that post and its count moves", async () => {
    const [post] = session.fake.addPosts(1);
    const app = await open();
    await app.waitFor("re 0");
    await app.press("R");
    await app.waitFor("Reply to @bob");
    await app.type("count me in");
    await app.press(KEY.ctrl("s"));
    await app.waitFor((f) => f.includes("Replied") && f.includes("re 1"));
    const sent = requests("POST", /^\/api\/v1\/posts$/);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ content: "count me in", reply_to_id: post!.id });
    expect(app.frame()).not.toContain("Reply to @bob");
  });

  it("d on a repost entry of your own post deletes the original, after asking", async () => {
    const [mine] = session.fake.addPosts(1, session.fake.me);
    session.fake.stub.on("GET", "/api/v1/timeline/home", () => ({
      body: { posts: [{ ...session.fake.view(mine!), repost: { by: bob(), at: new Date().toISOString() } }], next_cursor: null, has_more: false },
    }));
    session.fake.follow(session.fake.me, bob());
    const app = await open();
    await app.waitFor("rp @bob reposted");
    await app.press("d");
    await app.waitFor("Delete your original post (not just this repost)? y/n");
    await app.press("y");
    await app.waitFor("Post deleted");
    expect(session.fake.posts.find((p) => p.id === mine!.id)).toBeUndefined();
  });

  it("Enter on a post opens its author's profile, from a thread too", async () => {
    const [post] = session.fake.addPosts(1);
    session.fake.reply(session.fake.me, post!, "my answer");
    const app = await open();
    await app.waitFor("Post number 1 by bob");
    await app.press("G", "v");
    await app.waitFor((f) => f.includes("Thread") && f.includes("my answer"));
    await app.press("k", KEY.enter);
    await app.waitFor((f) => f.includes("Joined") && f.includes("@bob"));
  });
});

describe("thread view", () => {
  it("shows ancestors dimmed above the post, replies below; v goes deeper and Esc back up", async () => {
    const root = makePost(bob(), "the root", new Date(Date.now() - 3 * 3_600_000));
    session.fake.posts.push(root);
    const middle = session.fake.reply(session.fake.me, root, "the middle", new Date(Date.now() - 2 * 3_600_000));
    const leaf = session.fake.reply(bob(), middle, "the leaf", new Date(Date.now() - 3_600_000));
    session.fake.reply(bob(), leaf, "under the leaf", new Date(Date.now() - 1_800_000));
    const app = await open({ colors: true, rows: 40 });
    await app.waitFor("the middle");
    // Select "the middle" on Global and open its thread.
    for (let i = 0; i < 4 && !selectedLine(app.frame()).includes("@alice"); i++) await app.press("j");
    await app.press("v");
    let frame = await app.waitFor((f) => f.includes("Thread") && f.includes("the leaf"));
    const order = ["the root", "the middle", "the leaf"].map((t) => frame.indexOf(t));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(frame).not.toContain("under the leaf");
    expect(selectedLine(frame)).toContain("@alice"); // the post itself is selected
    expect(app.rawFrame()).toMatch(new RegExp(`${ESC}\\[2m[^\\n]*the root`)); // ancestors dimmed
    await app.press("j", "v"); // onto the reply, and deeper: its thread has one more ancestor and its own reply
    frame = await app.waitFor((f) => f.includes("under the leaf"));
    expect(selectedLine(frame)).toContain("@bob · 1h");
    expect(frame.indexOf("the middle")).toBeLessThan(frame.indexOf("the leaf"));
    await app.press(KEY.escape);
    frame = await app.waitFor((f) => f.includes("the root") && !f.includes("under the leaf"));
    expect(frame).toContain("Thread");
    await app.press(KEY.escape);
    await app.waitFor("[2 Global]");
  });

  it("pages through a long thread's replies, each once", async () => {
    const [post] = session.fake.addPosts(1, bob()); // newest on Global (the fake does not mind replies older than it)
    for (let i = 0; i < 60; i++) session.fake.reply(session.fake.me, post!, `reply ${i}`, new Date(Date.now() - 80_000_000 + i * 60_000));
    const app = await open();
    await app.waitFor((f) => selectedLine(f).includes("@bob"));
    await app.press("v");
    await app.waitFor((f) => f.includes("Thread") && f.includes("reply 0"));
    await app.press("G"); // the last loaded reply: the next page comes
    await app.waitFor((f) => requests("GET", /\/thread$/).length === 2 && !f.includes("Loading more"));
    await app.press("G");
    const frame = await app.waitFor((f) => f.includes("reply 59") && f.includes("· No more replies ·"));
    expect(frame.match(/reply 59\b/g)).toHaveLength(1);
    const pages = requests("GET", /\/thread$/);
    expect(pages).toHaveLength(2);
    expect(pages[1]!.query.get("cursor")).not.toBeNull();
  });

  it("a reply published from a thread shows among its replies", async () => {
    const [post] = session.fake.addPosts(1);
    const app = await open();
    await app.waitFor("Post number 1 by bob");
    await app.press("v");
    await app.waitFor("No replies yet");
    await app.press("R");
    await app.waitFor("Reply to @bob");
    await app.type("from the thread");
    await app.press(KEY.ctrl("s"));
    const frame = await app.waitFor((f) => f.includes("from the thread") && f.includes("Thread"));
    expect(frame).toContain("re @bob");
    expect(session.fake.posts.some((p) => p.content === "from the thread" && (p as { reply_to_id?: string }).reply_to_id === post!.id)).toBe(true);
  });
});

describe("profiles", () => {
  it("show counts and Follows you; f follows at once and unfollows", async () => {
    session.fake.follow(bob(), session.fake.me);
    session.fake.addPosts(2, bob());
    const app = await open();
    await app.waitFor("Post number 1 by bob");
    await app.press(KEY.enter);
    let frame = await app.waitFor("2 posts · 1 following · 0 followers");
    expect(frame).toContain("Follows you");
    await app.press("f");
    frame = await app.waitFor("Following @bob");
    expect(frame).toContain("2 posts · 1 following · 1 follower");
    expect(session.fake.follows.has(`${session.fake.me.id}>${bob().id}`)).toBe(true);
    await app.press("f");
    await app.waitFor((f) => f.includes("Unfollowed @bob") && f.includes("0 followers"));
    expect(session.fake.follows.has(`${session.fake.me.id}>${bob().id}`)).toBe(false);
  });

  it("a refused follow shows at once and goes back with the reason", async () => {
    session.fake.addPosts(1, bob());
    session.fake.stub.on("POST", /^\/api\/v1\/users\/[^/]+\/follow$/, () => ({ ...apiError(403, "forbidden", "You cannot follow this user"), delayMs: 300 }));
    const app = await open();
    await app.waitFor("Post number 1 by bob");
    await app.press(KEY.enter);
    await app.waitFor("0 followers");
    await app.press("f");
    await app.waitFor("1 follower");
    const frame = await app.waitFor("You cannot follow this user");
    expect(frame).toContain("0 followers");
    expect(frame).not.toMatch(/Following\b(?! @)/);
  });

  it("F lists followers and W following; Enter opens a profile, Esc comes back", async () => {
    const carol = makeUser("carol", { display_name: "Carol C" });
    session.fake.users.push(carol);
    session.fake.follow(carol, bob());
    session.fake.follow(bob(), session.fake.me);
    session.fake.addPosts(1, bob());
    const app = await open();
    await app.waitFor("Post number 1 by bob");
    await app.press(KEY.enter);
    await app.waitFor("Joined");
    await app.press("F");
    const frame = await app.waitFor((f) => f.includes("Followers of @bob") && f.includes("@carol  Carol C"));
    expect(selectedLine(frame)).toContain("@carol");
    await app.press(KEY.enter);
    await app.waitFor((f) => f.includes("Joined") && f.includes("Carol C"));
    await app.press(KEY.escape, KEY.escape);
    await app.press("W");
    await app.waitFor((f) => f.includes("Followed by @bob") && f.includes("@alice"));
  });
});
