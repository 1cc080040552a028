// The scriptable commands: how each is parsed, what it prints (text and --json lines), and
// its exit code — against a scripted HTTP server (the routes other branches add included).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseArgs, type CliArgs, type ScriptCommand } from "../../src/client/cli/args.js";
import { runCommand } from "../../src/client/cli/commands/run.js";
import { formatNotification, formatPost, safeText } from "../../src/client/cli/format.js";
import { EventEmitter } from "node:events";
import { firstLine, InputCancelled, promptLine, type InputStream } from "../../src/client/keys/terminal-input.js";
import { SessionStore } from "../../src/client/config/session-store.js";
import { makePost, makeTokens, makeUser } from "./helpers/fixtures.js";
import { apiError, startStubServer, type StubServer } from "./helpers/stub-server.js";

describe("parsing", () => {
  it("reads each command's options and positionals", () => {
    expect(parseArgs(["login", "--email", "a@b.c"])).toEqual({ command: "login", email: "a@b.c", json: false });
    expect(parseArgs(["logout"])).toEqual({ command: "logout" });
    expect(parseArgs(["whoami", "--json"])).toEqual({ command: "whoami", json: true });
    expect(parseArgs(["post", "hi there", "--reply-to", "abc"])).toEqual({ command: "post", text: "hi there", replyTo: "abc", json: false });
    expect(parseArgs(["post"])).toEqual({ command: "post", json: false });
    expect(parseArgs(["post", "--", "--not a flag"])).toMatchObject({ text: "--not a flag" });
    expect(parseArgs(["timeline"])).toEqual({ command: "timeline", feed: "home", json: false });
    expect(parseArgs(["timeline", "--global", "--limit", "7", "--json"])).toEqual({ command: "timeline", feed: "global", limit: 7, json: true });
    expect(parseArgs(["timeline", "-n", "100"])).toMatchObject({ limit: 100 });
    expect(parseArgs(["notifications", "--mark-read"])).toEqual({ command: "notifications", markRead: true, json: false });
    expect(parseArgs(["follow", "@Bob"])).toEqual({ command: "follow", username: "bob", json: false });
    expect(parseArgs(["unfollow", "bob"])).toEqual({ command: "unfollow", username: "bob", json: false });
    expect(parseArgs(["search", "rust", "lang", "--users"])).toEqual({ command: "search", query: "rust lang", users: true, json: false });
    expect(parseArgs(["--server", "http://x:1", "whoami"])).toEqual({ command: "whoami", server: "http://x:1", json: false });
  });

  it("refuses bad usage with the command's own usage", () => {
    const bad = (argv: string[]) => parseArgs(argv);
    expect(bad(["timeline", "--limit", "0"])).toMatchObject({ command: "help", topic: "timeline", error: expect.stringMatching(/1 to 100/) });
    expect(bad(["timeline", "--limit", "101"]).error).toMatch(/got 101/);
    expect(bad(["timeline", "--limit", "ten"]).error).toMatch(/got ten/);
    expect(bad(["timeline", "--home", "--global"]).error).toMatch(/cannot go together/);
    expect(bad(["timeline", "--bogus"])).toEqual({ command: "help", topic: "timeline", error: "Unknown argument: --bogus" });
    expect(bad(["post", "two", "words"]).error).toMatch(/quotes/);
    expect(bad(["post", "--reply-to", " "]).error).toMatch(/post ID/);
    expect(bad(["follow"]).error).toMatch(/one @name/);
    expect(bad(["follow", "@a", "@b"]).error).toMatch(/one @name/);
    expect(bad(["follow", "not a name!"]).error).toMatch(/not a username/);
    expect(bad(["search"]).error).toMatch(/needs a QUERY/);
    expect(bad(["login", "extra"]).error).toBe("Unknown argument: extra");
    expect(bad(["whoami", "--email", "x"]).error).toBe("Unknown argument: --email");
    expect(bad(["timeline", "--help"])).toEqual({ command: "help", topic: "timeline" });
  });
});

describe("plain text", () => {
  it("shows who, when, the id, what a post answers, and neutralises control characters", () => {
    const alice = makeUser("alice");
    const post = { ...makePost(alice, "line one\nline \u001b[2Jtwo", new Date("2026-01-01T00:00:00Z")), reply_to_user: { id: "x", username: "bob" } };
    expect(formatPost(post, new Date("2026-01-01T00:05:00Z"))).toBe(`@alice · 5m · ${post.id}\n  ↳ replying to @bob\n  line one\n  line \uFFFD[2Jtwo`);
    expect(safeText("tab\tok\u0007")).toBe("tab\tok\uFFFD");
    expect(formatNotification({ id: "n", type: "like", actor: makeUser("bob"), post, created_at: "2026-01-01T00:00:00Z", read: false }, new Date("2026-01-01T02:00:00Z")))
      .toBe("* @bob liked your post: “line one” · 2h");
  });
});

describe("terminal input", () => {
  /** A terminal: raw mode switched, keys arriving as data events. */
  function terminal() {
    const events = new EventEmitter();
    const modes: boolean[] = [];
    const input = Object.assign(events, {
      isTTY: true,
      setRawMode: (mode: boolean) => modes.push(mode),
      resume: () => {},
      pause: () => {},
      [Symbol.asyncIterator]: () => { throw new Error("a terminal is not read to its end"); },
    }) as unknown as InputStream & EventEmitter;
    return { input, modes, type: (keys: string) => events.emit("data", Buffer.from(keys)) };
  }

  it("reads a password without echo, with Backspace, in raw mode and back", async () => {
    const { input, modes, type } = terminal();
    const shown = new Sink();
    const answer = promptLine(input, shown as unknown as NodeJS.WritableStream, "Password: ", false);
    type("sekri");
    type("\u007fet\r");
    expect(await answer).toBe("sekret");
    expect(shown.text).toBe("Password: \n");
    expect(modes).toEqual([true, false]);
  });

  it("echoes an e-mail as typed; Ctrl+C cancels", async () => {
    const { input, type } = terminal();
    const shown = new Sink();
    const email = promptLine(input, shown as unknown as NodeJS.WritableStream, "Email: ", true);
    type("a@b.c\n");
    expect(await email).toBe("a@b.c");
    expect(shown.text).toBe("Email: a@b.c\n");
    const cancelled = promptLine(input, shown as unknown as NodeJS.WritableStream, "Password: ", false);
    type("abc\u0003");
    await expect(cancelled).rejects.toBeInstanceOf(InputCancelled);
  });

  it("takes a piped password's first line only", () => {
    expect(firstLine("pw with spaces \r\nsecond")).toBe("pw with spaces ");
    expect(firstLine("")).toBe("");
  });
});

// ── commands against a scripted server ───────────────────────────────────────────────

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

class Sink {
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Piped stdin: not a terminal. */
const piped = (text: string): InputStream => Object.assign(Readable.from([Buffer.from(text)]), { isTTY: false });

let stub: StubServer;
let dir: string;
const alice = makeUser("alice");
beforeEach(async () => {
  stub = await startStubServer();
  dir = join(mkdtempSync(join(tmpdir(), "nb-cli-")), "niotebook");
  roots.push(join(dir, ".."));
});
afterEach(() => stub.close());

async function run(argv: string[], stdin = ""): Promise<{ code: number; out: string; err: string }> {
  const args = parseArgs(argv) as CliArgs & { command: ScriptCommand };
  expect(args.error).toBeUndefined();
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCommand(args, {
    serverUrl: stub.url, configDir: dir, configuredServer: stub.url, homeServer: stub.url,
    stdin: piped(stdin), stdout, stderr: stderr as unknown as NodeJS.WritableStream,
  });
  return { code, out: stdout.text, err: stderr.text };
}
const aliceTokens = makeTokens(alice);
const loggedIn = () => new SessionStore(dir, stub.url, stub.url).save(aliceTokens);

describe("commands", () => {
  it("login reads the password from stdin's first line, saves the session, and exits 3 on a refusal", async () => {
    stub.on("POST", "/api/v1/auth/login", (req) => {
      const body = req.body as { email: string; password: string };
      return body.password === "right password"
        ? { status: 200, body: { user: alice, tokens: aliceTokens } }
        : apiError(401, "unauthorized", "Invalid email or password");
    });
    expect(await run(["login", "--email", "alice@example.com"], "wrong\n")).toEqual({ code: 3, out: "", err: "niotebook: Invalid email or password\n" });
    expect(new SessionStore(dir, stub.url, stub.url).load()).toBeNull();
    const ok = await run(["login", "--email", "alice@example.com", "--json"], "right password\nignored second line\n");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual(alice);
    expect(new SessionStore(dir, stub.url, stub.url).load()?.access_token).toBe(aliceTokens.access_token);
    expect(stub.requests.at(-1)?.body).toEqual({ email: "alice@example.com", password: "right password" });
  });

  it("login without a terminal asks nothing: no --email or no password is bad usage", async () => {
    expect(await run(["login"], "pw\n")).toMatchObject({ code: 2, err: "niotebook: login needs --email when stdin is not a terminal\n" });
    expect(await run(["login", "--email", "a@b.c"], "")).toMatchObject({ code: 2, err: expect.stringMatching(/no password on stdin/) });
    expect(stub.requests).toHaveLength(0);
  });

  it("every command that acts as someone exits 3 without a session, before asking the server", async () => {
    for (const argv of [["whoami"], ["post", "x"], ["timeline"], ["notifications"], ["follow", "@bob"], ["search", "x"], ["logout"]]) {
      const result = await run(argv);
      expect(result.code).toBe(3);
      expect(result.err).toMatch(/^niotebook: Not logged in at http/);
    }
    expect(stub.requests).toHaveLength(0);
  });

  it("post sends the text (or stdin) and the reply, prints the post; the server's refusal is exit 1 with its message", async () => {
    loggedIn();
    const created = makePost(alice, "from stdin", new Date());
    stub.on("POST", "/api/v1/posts", (req) => {
      const body = req.body as { content: string };
      return body.content.length > 140 ? apiError(400, "content_too_long", "Post is 141 characters; the limit is 140", "content") : { status: 201, body: { post: created } };
    });
    const piped = await run(["post", "--json", "--reply-to", "p1"], "from stdin\n");
    expect(piped.code).toBe(0);
    expect(piped.out).toBe(`${JSON.stringify(created)}\n`);
    expect(stub.requests.at(-1)?.body).toEqual({ content: "from stdin\n", reply_to_id: "p1" });
    const plain = await run(["post", "hello"]);
    expect(plain.out).toContain("  from stdin\n");
    expect(stub.requests.at(-1)?.body).toEqual({ content: "hello" });
    expect(await run(["post", "x".repeat(141)])).toEqual({ code: 1, out: "", err: "niotebook: Post is 141 characters; the limit is 140\n" });
  });

  it("timeline: home by default with the limit, --global, one JSON line per post; a server without home says so", async () => {
    loggedIn();
    const posts = [makePost(alice, "two", new Date(2)), makePost(alice, "one", new Date(1))];
    stub.on("GET", "/api/v1/timeline/home", () => ({ body: { posts, next_cursor: null, has_more: false } }));
    stub.on("GET", "/api/v1/timeline", () => ({ body: { posts: [], next_cursor: null, has_more: false } }));
    const home = await run(["timeline", "--json", "--limit", "2"]);
    expect(home.out.trim().split("\n").map((line) => JSON.parse(line) as unknown)).toEqual(posts);
    expect(stub.requests.at(-1)?.query.get("limit")).toBe("2");
    expect((await run(["timeline", "--global"])).out).toBe("No posts yet.\n");

    const older = await startStubServer();
    try {
      older.on("GET", "/api/v1/timeline/home", () => apiError(404, "not_found", "No such endpoint: GET /api/v1/timeline/home"));
      new SessionStore(dir, older.url, older.url).save(makeTokens(alice));
      const stdout = new Sink();
      const stderr = new Sink();
      const code = await runCommand({ command: "timeline", feed: "home" }, {
        serverUrl: older.url, configDir: dir, configuredServer: older.url, stdin: piped(""), stdout, stderr: stderr as unknown as NodeJS.WritableStream,
      });
      expect(code).toBe(1);
      expect(stderr.text).toBe(`niotebook: The server at ${older.url} does not offer a home timeline yet (it is older than this client) — try --global\n`);
    } finally {
      await older.close();
    }
  });

  it("follow and unfollow name the user by @name; an unknown user is not a missing feature", async () => {
    loggedIn();
    const bob = makeUser("bob");
    stub.on("POST", "/api/v1/users/%40bob/follow", () => ({ body: { user: bob, relationship: { following: true } } }));
    stub.on("DELETE", "/api/v1/users/%40bob/follow", () => ({ body: { user: bob } }));
    stub.on("POST", "/api/v1/users/%40nobody/follow", () => apiError(404, "not_found", "User not found"));
    expect(await run(["follow", "@bob"])).toEqual({ code: 0, out: "Following @bob\n", err: "" });
    expect(JSON.parse((await run(["unfollow", "bob", "--json"])).out)).toEqual(bob);
    expect(await run(["follow", "@nobody"])).toEqual({ code: 1, out: "", err: "niotebook: User not found\n" });
  });

  it("notifications print newest first and --mark-read marks up to the newest printed", async () => {
    loggedIn();
    const bob = makeUser("bob");
    const list = [
      { id: "n2", type: "follow", actor: bob, created_at: new Date().toISOString(), read: false },
      { id: "n1", type: "mention", actor: bob, post: makePost(bob, "hi @alice", new Date()), created_at: new Date().toISOString(), read: true },
    ];
    stub.on("GET", "/api/v1/notifications", () => ({ body: { notifications: list, next_cursor: null, has_more: false, unread_count: 1 } }));
    stub.on("POST", "/api/v1/notifications/read", () => ({ status: 204 }));
    const result = await run(["notifications", "--mark-read"]);
    expect(result.out).toBe("* @bob followed you · now\n  @bob mentioned you: “hi @alice” · now\n");
    expect(stub.requests.at(-1)).toMatchObject({ method: "POST", path: "/api/v1/notifications/read", body: { up_to_id: "n2" } });
    const json = await run(["notifications", "--json"]);
    expect(json.out.trim().split("\n").map((line) => JSON.parse(line) as unknown)).toEqual(list);
    expect(stub.requests.at(-1)?.method).toBe("GET");
  });

  it("search finds posts, or people with --users", async () => {
    loggedIn();
    stub.on("GET", "/api/v1/search/users", (req) => ({ body: { users: req.query.get("q") === "bo" ? [makeUser("bob", { display_name: "Bob B", bio: "hi" })] : [] } }));
    stub.on("GET", "/api/v1/search/posts", () => ({ body: { posts: [], next_cursor: null, has_more: false } }));
    expect((await run(["search", "bo", "--users"])).out).toBe("@bob  Bob B — hi\n");
    expect((await run(["search", "from:bob", "rust"])).out).toBe("No posts found.\n");
    expect(stub.requests.at(-1)?.query.get("q")).toBe("from:bob rust");
  });

  it("whoami prints the user and the stored sessions; a refused session is exit 3", async () => {
    loggedIn();
    new SessionStore(dir, "http://other.example:9000", stub.url).save(makeTokens(makeUser("carol")));
    stub.on("GET", "/api/v1/users/me", () => ({ body: { user: alice } }));
    const result = await run(["whoami"]);
    expect(result.code).toBe(0);
    const width = Math.max(stub.url.length, "http://other.example:9000".length);
    expect(result.out).toBe(`@alice\nat ${stub.url}\n\nSessions:\n* ${stub.url.padEnd(width)}  @alice\n  ${"http://other.example:9000".padEnd(width)}  @carol\n`);
    expect((await run(["whoami", "--json"])).out).toBe(`${JSON.stringify(alice)}\n`);
    stub.on("GET", "/api/v1/users/me", () => apiError(401, "unauthorized", "Invalid token"));
    expect((await run(["whoami", "--json"])).code).toBe(3);
  });

  it("logging in to a second server keeps the first server's session (a file each)", async () => {
    loggedIn(); // config.yaml's server: auth.json
    const second = await startStubServer();
    try {
      const bob = makeUser("bob");
      second.on("POST", "/api/v1/auth/login", () => ({ body: { user: bob, tokens: makeTokens(bob) } }));
      const stdout = new Sink();
      const code = await runCommand({ command: "login", email: "bob@example.com" }, {
        serverUrl: second.url, configDir: dir, configuredServer: stub.url, homeServer: stub.url,
        stdin: piped("pw\n"), stdout, stderr: new Sink() as unknown as NodeJS.WritableStream,
      });
      expect(code).toBe(0);
      expect(new SessionStore(dir, stub.url, stub.url).load()?.access_token).toBe(aliceTokens.access_token);
      expect(new SessionStore(dir, second.url, stub.url).load()?.server_url).toBe(second.url);
      stub.on("GET", "/api/v1/users/me", () => ({ body: { user: alice } }));
      const sessions = (await run(["whoami"])).out.split("Sessions:\n")[1];
      expect(sessions?.trim().split("\n").map((line) => line.replace(/\s+/g, " ").trim())).toEqual([
        `* ${stub.url} @alice`, `${second.url} @bob`,
      ]);
    } finally {
      await second.close();
    }
  });

  it("logout revokes the session and forgets it", async () => {
    loggedIn();
    stub.on("POST", "/api/v1/auth/logout", () => ({ status: 204 }));
    expect(await run(["logout"])).toEqual({ code: 0, out: "Logged out of @alice at " + stub.url + "\n", err: "" });
    expect(new SessionStore(dir, stub.url, stub.url).load()).toBeNull();
    expect(stub.requests.at(-1)?.body).toEqual({ refresh_token: aliceTokens.refresh_token });
  });
});
