// Happy paths against the real server (built in dist/): sign up, read, post, profile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY, renderApp } from "./helpers/render-app.js";
import { builtServerAvailable, startRealServer, type RealServer } from "./helpers/real-server.js";

const available = builtServerAvailable();
if (!available) console.warn("real-server tests skipped: run `npm run build` first (dist/server missing)");

describe.skipIf(!available)("against the real server", () => {
  let server: RealServer;
  beforeAll(async () => {
    server = await startRealServer({ seed: ["--users", "5", "--posts", "30"] });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("signs up, reads the timeline, publishes, views, edits the profile, logs out and back in", async () => {
    const app = renderApp({ serverUrl: server.url });
    try {
      await app.waitFor("Log in to niotebook");
      await app.press(KEY.ctrl("t"));
      await app.type("Real_Tester");
      await app.press(KEY.tab);
      await app.type("real@example.com");
      await app.press(KEY.tab);
      await app.type("password123");
      await app.press(KEY.tab);
      await app.type("password123");
      await app.press(KEY.enter);
      await app.waitFor("Welcome, @real_tester", 10_000);
      await app.waitFor(/@\w+ · /);

      await app.press("n");
      await app.waitFor("New post");
      await app.type("hello from the real server 🎉");
      await app.press(KEY.ctrl("s"));
      let frame = await app.waitFor("Posted", 10_000);
      frame = await app.waitFor((f) => (f.split("\n").find((l) => l.startsWith("▸")) ?? "").includes("@real_tester · now"));
      expect(frame).toContain("hello from the real server 🎉");

      await app.press("v");
      await app.waitFor((f) => f.includes("Thread") && f.includes("hello from the real server"), 10_000);
      expect(app.frame()).toContain("Real_Tester @real_tester");
      await app.press(KEY.escape);

      await app.press("p");
      await app.waitFor("Joined");
      await app.press("e");
      await app.waitFor("Edit profile");
      await app.press(KEY.tab);
      await app.type("I test things.");
      await app.press(KEY.ctrl("s"));
      frame = await app.waitFor("Profile saved", 10_000);
      expect(frame).toContain("I test things.");

      await app.press(KEY.escape);
      await app.press("L");
      await app.waitFor("Log out of @real_tester? y/n");
      await app.press("y");
      await app.waitFor("Log in to niotebook", 10_000);
      await app.type("real@example.com");
      await app.press(KEY.tab);
      await app.type("password123");
      await app.press(KEY.enter);
      await app.waitFor("Welcome, @real_tester", 10_000);
    } finally {
      app.cleanup();
    }
  });

  it("says 'Username already taken' under the username field", async () => {
    const app = renderApp({ serverUrl: server.url });
    try {
      await app.waitFor("Log in to niotebook");
      await app.press(KEY.ctrl("t"));
      await app.type("real_tester");
      await app.press(KEY.tab);
      await app.type("other@example.com");
      await app.press(KEY.tab);
      await app.type("password123");
      await app.press(KEY.tab);
      await app.type("password123");
      await app.press(KEY.enter);
      const frame = await app.waitFor("✗", 10_000);
      const lines = frame.split("\n");
      const label = lines.findIndex((l) => l.includes("Username"));
      expect(lines[label + 2]).toMatch(/✗ .*(taken|exists|use)/i);
    } finally {
      app.cleanup();
    }
  });
});
