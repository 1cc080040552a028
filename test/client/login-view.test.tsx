import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "./helpers/fake-api.js";
import { apiError } from "./helpers/stub-server.js";
import { KEY, renderApp, type RenderedApp } from "./helpers/render-app.js";

let fake: FakeApi;
let app: RenderedApp;
beforeEach(async () => {
  fake = await startFakeApi();
  fake.addPosts(3);
  app = renderApp({ serverUrl: fake.url });
  await app.waitFor("Log in to niotebook");
});
afterEach(async () => {
  app.cleanup();
  await fake.close();
});

describe("Log in / Sign up", () => {
  it("logs in and goes straight to the timeline with a welcome", async () => {
    await app.type("alice@example.com");
    await app.press(KEY.tab);
    await app.type("password1");
    expect(app.frame()).toContain("•••••••••");
    expect(app.frame()).not.toContain("password1");
    await app.press(KEY.enter);
    const frame = await app.waitFor("Welcome, @alice");
    expect(frame).toContain("@alice");
    expect(frame).toContain("[2 Global]");
    await app.waitFor("Post number 1 by bob");
  });

  it("a failed login keeps the e-mail, clears the password and says why", async () => {
    await app.type("alice@example.com");
    await app.press(KEY.down);
    await app.type("wrongpass");
    await app.press(KEY.enter);
    const frame = await app.waitFor("Invalid email or password");
    expect(frame).toContain("alice@example.com");
    expect(frame).not.toContain("•••••••••");
  });

  it("a half-typed log-in survives the terminal being too small for a moment, and takes what is typed meanwhile", async () => {
    await app.type("alice@example.com");
    await app.press(KEY.tab);
    await app.type("passwo");
    await app.resize(39, 9);
    await app.waitFor("Terminal too small");
    await app.type("rd1");
    await app.press(KEY.enter); // not submitted unseen
    expect(fake.stub.requests.some((r) => r.path === "/api/v1/auth/login")).toBe(false);
    await app.resize(80, 24);
    await app.waitFor("alice@example.com");
    await app.press(KEY.enter);
    await app.waitFor("Welcome, @alice");
  });

  it("a pasted e-mail with its line break fills the field and does not submit", async () => {
    await app.press("\x1b[200~", "alice@example.com\n", "\x1b[201~");
    expect(fake.stub.requests.some((r) => r.path === "/api/v1/auth/login")).toBe(false);
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.enter);
    await app.waitFor("Welcome, @alice");
  });

  it("q and ? are text inside a field", async () => {
    await app.type("q?");
    expect(app.frame()).toContain("q?");
    expect(app.exited()).toBe(false);
    expect(app.frame()).not.toContain("Keys —");
  });

  it("F1 opens help while typing, Esc closes it", async () => {
    await app.press(KEY.f1);
    expect(app.frame()).toContain("Keys — Log in");
    expect(app.frame()).toContain("Switch between log in and sign up");
    await app.press(KEY.escape);
    await app.waitFor((f) => !f.includes("Keys —"));
  });

  it("Tab moves onto the link; Enter on it switches forms, Ctrl+T switches back", async () => {
    await app.press(KEY.tab, KEY.tab);
    await app.press(KEY.enter);
    let frame = await app.waitFor("Create your niotebook account");
    expect(frame.split("\n")[0]).toMatch(/Sign up\s*$/); // the header names the form showing
    for (const label of ["Username", "E-mail", "Password", "Password again"]) expect(frame).toContain(label);
    expect(frame.indexOf("Username")).toBeLessThan(frame.indexOf("E-mail"));
    expect(frame.indexOf("E-mail")).toBeLessThan(frame.indexOf("Password again"));
    await app.press(KEY.ctrl("t"));
    frame = await app.waitFor("Log in to niotebook");
    expect(frame).not.toContain("Username");
    expect(frame.split("\n")[0]).toMatch(/Log in\s*$/);
  });

  it("sign up checks as you type with the shared rules", async () => {
    await app.press(KEY.ctrl("t"));
    await app.waitFor("Create your niotebook account");
    await app.type("a_");
    expect(await app.waitFor("Username must be 3–15 characters")).toBeTruthy();
    await app.type("_bc");
    await app.waitFor("two underscores");
    await app.press(KEY.ctrl("u"));
    await app.type("admin");
    await app.waitFor("That username is reserved");
    await app.press(KEY.tab);
    await app.type("not-an-email");
    await app.waitFor("Enter a valid e-mail address");
    await app.press(KEY.tab);
    await app.type("short");
    await app.waitFor("Password must be at least 8 characters");
    await app.press(KEY.tab);
    await app.type("shorter");
    await app.waitFor("Passwords don't match");
  });

  it("puts the server's answer under the field it concerns", async () => {
    await app.press(KEY.ctrl("t"));
    await app.type("bob");
    await app.press(KEY.tab);
    await app.type("bob@example.com");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.enter);
    const frame = await app.waitFor("✗ Username already taken");
    const lines = frame.split("\n");
    const usernameLine = lines.findIndex((l) => l.includes("Username"));
    expect(lines[usernameLine + 2]).toContain("✗ Username already taken");
  });

  it("shows validation errors from the server under e-mail", async () => {
    fake.stub.on("POST", "/api/v1/auth/register", () => apiError(409, "conflict", "E-mail already registered", "email"));
    await app.press(KEY.ctrl("t"));
    await app.type("newbie");
    await app.press(KEY.tab);
    await app.type("taken@example.com");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.enter);
    const frame = await app.waitFor("✗ E-mail already registered");
    const lines = frame.split("\n");
    expect(lines[lines.findIndex((l) => l.includes("E-mail") && !l.includes("✗")) + 2]).toContain("✗ E-mail already registered");
  });

  it("signs up and lands on the timeline", async () => {
    await app.press(KEY.ctrl("t"));
    await app.type("NewUser");
    await app.press(KEY.tab);
    await app.type("new@example.com");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.enter);
    await app.waitFor("Welcome, @newuser");
  });

  it("says when the server cannot be reached", async () => {
    await fake.close();
    await app.type("alice@example.com");
    await app.press(KEY.tab);
    await app.type("password1");
    await app.press(KEY.enter);
    await app.waitFor(`Can't reach server at ${fake.url}`);
  });
});

describe("Log in with the server unreachable", () => {
  it("says so before anything is submitted, keeps checking, and clears the message once the server answers", async () => {
    // A port nothing listens on yet.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const url = `http://127.0.0.1:${port}`;
    const offline = renderApp({ serverUrl: url });
    const server = createServer((req, res) => {
      res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok" }));
    });
    try {
      const frame = await offline.waitFor(`Can't reach server at ${url}`);
      expect(frame).toContain("Log in to niotebook");
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      await offline.waitFor((f) => !f.includes("Can't reach server"), 8_000);
    } finally {
      offline.cleanup();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 15_000);
});
