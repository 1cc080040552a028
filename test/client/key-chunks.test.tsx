// Several keys in one read (fast typing, a paste, tmux send-keys) must act like the same
// keys pressed one by one: each builds on the state the previous one produced.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "./helpers/fake-api.js";
import { renderApp, type RenderedApp } from "./helpers/render-app.js";

let fake: FakeApi;
let app: RenderedApp | null = null;
beforeEach(async () => {
  fake = await startFakeApi();
  fake.addPosts(20);
});
afterEach(async () => {
  app?.cleanup();
  app = null;
  await fake.close();
});

describe("keys arriving together", () => {
  it("jjjjj moves five posts down", async () => {
    app = renderApp({ serverUrl: fake.url, tokens: fake.tokens });
    await app.waitFor("Post number 1 ");
    await app.type("jjjjj");
    const frame = await app.waitFor((f) => (f.split("\n").find((l) => l.startsWith("▸")) ?? "").includes("6m"));
    expect(frame.split("\n").filter((l) => l.startsWith("▸"))).toHaveLength(1);
  });

  it("text, Enter, text in one chunk keeps every line in the compose box", async () => {
    app = renderApp({ serverUrl: fake.url, tokens: fake.tokens });
    await app.waitFor("Post number 1 ");
    await app.press("n");
    await app.type("ab\rcd\ref");
    await app.waitFor("8/140");
    expect(app.services.drafts.load(fake.me.id)).toBe("ab\ncd\nef");
  });

  it("a whole login typed at once (e-mail, Tab, password, Enter) logs in", async () => {
    app = renderApp({ serverUrl: fake.url });
    await app.waitFor("Log in to niotebook");
    await app.type("alice@example.com\tpassword1\r");
    await app.waitFor("Welcome, @alice");
  });
});
