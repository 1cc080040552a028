import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postCounter } from "../../src/client/components/ComposeOverlay.js";
import { startFakeApi, type FakeApi } from "./helpers/fake-api.js";
import { makePost } from "./helpers/fixtures.js";
import { apiError } from "./helpers/stub-server.js";
import { KEY, renderApp, type RenderedApp } from "./helpers/render-app.js";

let fake: FakeApi;
let app: RenderedApp;
beforeEach(async () => {
  fake = await startFakeApi();
  fake.addPosts(3);
  app = renderApp({ serverUrl: fake.url, tokens: fake.tokens, timeoutMs: 300 });
  await app.waitFor("Post number 1 ");
});
afterEach(async () => {
  app.cleanup();
  await fake.close();
});

const boxText = (frame: string): string =>
  frame
    .split("\n")
    .filter((l) => l.includes("│"))
    .map((l) => l.slice(l.indexOf("│") + 1, l.lastIndexOf("│")).trim())
    .join("\n");

describe("postCounter", () => {
  it("counts like the server: CRLF as LF, trimmed, code points", () => {
    expect(postCounter("  hi\r\n🎉  ").count).toBe(4);
    expect(postCounter("x".repeat(130)).warn).toBe(false);
    expect(postCounter("x".repeat(131)).warn).toBe(true);
    expect(postCounter("x".repeat(141)).over).toBe(true);
  });
});

describe("Compose", () => {
  it("opens a centred box of width min(80, cols−4) over the timeline", async () => {
    await app.press("n");
    const frame = await app.waitFor("New post");
    const top = frame.split("\n").find((l) => l.includes("╭"))!;
    expect(top.trim().length).toBe(76);
    expect(top.indexOf("╭")).toBe(2);
    expect(frame).toContain("0/140");
  });

  it("edits multi-line text and publishes with Ctrl+S: closes, refreshes, selects the post, says Posted", async () => {
    await app.press("n");
    await app.type("first line");
    await app.press(KEY.enter);
    await app.type("second line");
    expect(boxText(app.frame())).toContain("first line\nsecond line");
    expect(app.frame()).toContain("22/140");
    await app.press(KEY.ctrl("s"));
    const frame = await app.waitFor("Posted");
    expect(frame).not.toContain("╭");
    const selected = frame.split("\n").find((l) => l.startsWith("▸"))!;
    expect(selected).toContain("@alice · now");
    expect(frame).toContain("first line");
    expect(fake.posts[0]!.content).toBe("first line\nsecond line");
    expect(app.services.drafts.load(fake.me.id)).toBe("");
  });

  it("publishes with Ctrl+J and with Ctrl+Enter", async () => {
    await app.press("n");
    await app.type("via ctrl j");
    await app.press(KEY.ctrl("j"));
    await app.waitFor("Posted");
    await app.press("n");
    await app.type("via ctrl enter");
    await app.press(KEY.ctrlEnter);
    await app.waitFor((f) => f.includes("Posted") && f.includes("via ctrl enter"));
    expect(fake.posts.slice(0, 2).map((p) => p.content)).toEqual(["via ctrl enter", "via ctrl j"]);
  });

  it("line editing keys: Ctrl+A, Ctrl+E, Ctrl+U, Ctrl+K, Ctrl+W, arrows, backspace", async () => {
    await app.press("n");
    await app.type("hello brave world");
    await app.press(KEY.ctrl("w"));
    expect(boxText(app.frame())).toContain("hello brave");
    await app.press(KEY.ctrl("a"));
    await app.type(">");
    await app.press(KEY.ctrl("e"));
    await app.type("!");
    expect(boxText(app.frame())).toContain(">hello brave !");
    await app.press(KEY.left, KEY.left, KEY.backspace);
    expect(boxText(app.frame())).toContain(">hello brav !");
    await app.press(KEY.ctrl("k"));
    expect(boxText(app.frame())).toMatch(/>hello brav\s*$/m);
    await app.press(KEY.ctrl("u"));
    expect(boxText(app.frame()).split("\n")[0]).toBe("What's happening?");
  });

  it("a typed Tab goes into the post as a tab", async () => {
    await app.press("n");
    await app.type("line two");
    await app.press(KEY.tab);
    await app.type("tab");
    await app.press(KEY.ctrl("s"));
    await app.waitFor("Posted");
    expect(fake.posts[0]!.content).toBe("line two\ttab");
  });

  it("q and ? are text in the box; F1 opens help", async () => {
    await app.press("n");
    await app.type("q?");
    expect(app.exited()).toBe(false);
    expect(boxText(app.frame())).toContain("q?");
    await app.press(KEY.f1);
    const frame = await app.waitFor("Keys — New post");
    expect(frame).toContain("Publish");
    // ? and q are text here: the help does not offer them, but Ctrl+C still quits.
    expect(frame).not.toContain("Quit (not while typing)");
    expect(frame).not.toContain("Show the keys of this view");
    expect(frame).toContain("Ctrl+C");
  });

  it("counter turns to N/140 over the limit and publishing is refused client-side", async () => {
    await app.press("n");
    await app.type("y".repeat(145));
    expect(app.frame()).toContain("145/140");
    await app.press(KEY.ctrl("s"));
    await app.waitFor("Post is 145 characters; the limit is 140");
    expect(fake.stub.requests.some((r) => r.method === "POST" && r.path === "/api/v1/posts")).toBe(false);
  });

  it("refuses to publish an empty (or blank) post", async () => {
    await app.press("n");
    await app.type("   ");
    await app.press(KEY.ctrl("s"));
    await app.waitFor("Post cannot be empty");
    expect(fake.stub.requests.some((r) => r.method === "POST" && r.path === "/api/v1/posts")).toBe(false);
  });

  it("counter is red from 131 (colours on), and plain with colours off", async () => {
    await app.press("n");
    await app.type("z".repeat(131));
    expect(app.rawFrame()).toContain("131/140");
    expect(app.rawFrame()).not.toContain("\x1b[31m");
    await app.press(KEY.escape);
    app.cleanup();
    app = renderApp({ serverUrl: fake.url, tokens: fake.tokens, colors: true });
    await app.waitFor("Post number 1 ");
    await app.press("n");
    await app.type("z".repeat(130));
    const before = app.rawFrame();
    await app.type("z");
    const after = app.rawFrame();
    const counterStyle = (frame: string, text: string): string => {
      const i = frame.indexOf(text);
      return frame.slice(Math.max(0, i - 12), i);
    };
    expect(counterStyle(after, "131/140")).toContain("\x1b[31m");
    expect(counterStyle(before, "130/140")).not.toContain("\x1b[31m");
    expect(counterStyle(before, "130/140")).toContain("\x1b[2m");
  });

  it("Esc cancels and keeps the draft; n reopens it", async () => {
    await app.press("n");
    await app.type("a thought in progress");
    await app.press(KEY.escape);
    await app.waitFor((f) => !f.includes("╭"));
    expect(app.exited()).toBe(false);
    expect(app.services.drafts.load(fake.me.id)).toBe("a thought in progress");
    await app.press("n");
    expect(boxText(await app.waitFor("New post"))).toContain("a thought in progress");
  });

  it("a draft survives a restart (written as you type)", async () => {
    await app.press("n");
    await app.type("crash-proof");
    const dir = app.configDir;
    const second = renderApp({ serverUrl: fake.url, configDir: dir });
    await second.waitFor("Post number 1 ");
    await second.press("n");
    expect(boxText(await second.waitFor("New post"))).toContain("crash-proof");
    second.cleanup();
  });

  it("a refused publish keeps the text and shows the server's reason", async () => {
    fake.stub.on("POST", "/api/v1/posts", () => apiError(400, "content_too_long", "Post content must be at most 140 characters"));
    await app.press("n");
    await app.type("keep me");
    await app.press(KEY.ctrl("s"));
    const frame = await app.waitFor("Post content must be at most 140 characters");
    expect(boxText(frame)).toContain("keep me");
  });

  it("a publish that failed on the server's side may still have posted, and says so", async () => {
    for (const [status, code] of [[503, "unavailable"], [500, "internal_error"]] as const) {
      fake.stub.on("POST", "/api/v1/posts", () => apiError(status, code, "The database stopped answering during the write"));
      await app.press("n");
      await app.type(`keep me ${status}`);
      await app.press(KEY.ctrl("s"));
      const frame = await app.waitFor("May not have posted — check the timeline");
      expect(boxText(frame)).toContain(`keep me ${status}`);
      await app.press(KEY.escape);
      await app.press("n", KEY.ctrl("u"), KEY.escape);
    }
  });

  it("a publish timeout is retried with the same Idempotency-Key; only when every retry fails does it say it may not have posted, keeping the text", async () => {
    fake.stub.on("POST", "/api/v1/posts", () => ({ hang: true }));
    await app.press("n");
    await app.type("did it post?");
    await app.press(KEY.ctrl("s"));
    const frame = await app.waitFor("May not have posted — check the timeline", 8_000);
    expect(boxText(frame)).toContain("did it post?");
    const sent = fake.stub.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/posts");
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    expect(app.services.drafts.load(fake.me.id)).toBe("did it post?");
  });

  it("a timed-out publish that the retry gets through posts once, with the same key, and says Posted", async () => {
    const byKey = new Map<string, ReturnType<typeof makePost>>();
    fake.stub.on("POST", "/api/v1/posts", (req) => {
      const key = String(req.headers["idempotency-key"]);
      const first = !byKey.has(key);
      if (first) {
        const post = makePost(fake.me, (req.body as { content: string }).content, new Date());
        byKey.set(key, post);
        fake.posts.unshift(post);
      }
      // The first attempt is stored but answers too late; the retry gets the same post (200).
      return first ? { hang: true } : { status: 200, body: { post: byKey.get(key) } };
    });
    await app.press("n");
    await app.type("only once");
    await app.press(KEY.ctrl("s"));
    await app.waitFor("Posted", 6_000);
    const sent = fake.stub.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/posts");
    expect(sent).toHaveLength(2);
    expect(sent[1]!.headers["idempotency-key"]).toBe(sent[0]!.headers["idempotency-key"]);
    expect(fake.posts.filter((p) => p.content === "only once")).toHaveLength(1);
  });

  it("what is typed after a post while it is on its way becomes the next draft; the text on its way cannot be changed", async () => {
    fake.stub.on("POST", "/api/v1/posts", (req) => {
      const post = makePost(fake.me, (req.body as { content: string }).content, new Date());
      fake.posts.unshift(post);
      return { status: 201, body: { post }, delayMs: 200 }; // under the client timeout of 300 ms
    });
    await app.press("n");
    await app.type("first thought");
    await app.press(KEY.ctrl("s"));
    await app.waitFor("Posting…");
    await app.press(KEY.backspace, KEY.left); // would change what is being sent: refused
    await app.press(KEY.end);
    await app.type(" and a second");
    await app.press(KEY.ctrl("s"), KEY.escape); // neither publishes twice nor closes mid-flight
    const frame = await app.waitFor("Posted — what you typed meanwhile is a draft: n opens it");
    expect(frame).not.toContain("╭");
    expect(fake.posts[0]!.content).toBe("first thought");
    expect(fake.stub.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/posts")).toHaveLength(1);
    expect(app.services.drafts.load(fake.me.id)).toBe("and a second");
    await app.press("n");
    expect(boxText(await app.waitFor("New post"))).toContain("and a second");
  });

  it("wide characters never overflow the box", async () => {
    await app.press("n");
    await app.type("日本語".repeat(30));
    const lines = app.frame().split("\n").filter((l) => l.includes("│"));
    const { displayWidth } = await import("../../src/client/text/display-width.js");
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it("a terminal too small for a moment keeps the box, its text and its cursor; text typed meanwhile goes in, commands do not act", async () => {
    await app.press("n");
    await app.type("abcdef");
    for (let i = 0; i < 3; i++) await app.press(KEY.left);
    await app.resize(30, 8);
    await app.waitFor("Terminal too small");
    await app.type("zz");
    await app.press(KEY.escape, KEY.ctrl("s"), KEY.left);
    await app.resize(80, 24);
    await app.waitFor("New post");
    await app.type("X");
    expect(boxText(app.frame())).toContain("abczzXdef");
    expect(app.services.drafts.load(fake.me.id)).toBe("abczzXdef");
    expect(fake.stub.requests.some((r) => r.method === "POST")).toBe(false);
    // Help open over the box: while too small, ? and q are neither its keys nor the box's text.
    await app.press(KEY.f1);
    await app.waitFor("Keys —");
    await app.resize(30, 8);
    await app.waitFor("Terminal too small");
    await app.press("?", "q");
    await app.resize(80, 24);
    await app.waitFor("Keys —");
    expect(app.exited()).toBe(false);
    expect(app.services.drafts.load(fake.me.id)).toBe("abczzXdef");
  });

  it("a bracketed paste goes in as text: its line breaks and tabs are kept and nothing is published", async () => {
    await app.press("n");
    await app.type("> ");
    await app.press("\x1b[200~", "first line\r\nsecond\tline\r", "third line\n", "\x1b[201~");
    await app.type("!");
    expect(app.services.drafts.load(fake.me.id)).toBe("> first line\nsecond\tline\nthird line!");
    expect(app.frame()).toContain("New post");
    expect(fake.stub.requests.some((r) => r.method === "POST")).toBe(false);
  });
});
