// End to end: the built client in a real tmux pane against a real server (embedded
// database, rate limits off) seeded with 200 posts, 60 of which share one created_at.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtClientAvailable, builtServerAvailable, CLIENT_BIN, startRealServer, type RealServer } from "../client/helpers/real-server.js";
import { selectedLine, TmuxPane, tmuxAvailable } from "./tmux.js";

const SEEDED_POSTS = 200;
const ready = tmuxAvailable() && builtClientAvailable() && builtServerAvailable();
if (!tmuxAvailable()) console.warn("e2e skipped: tmux is not installed");
else if (!ready) console.warn("e2e skipped: run `npm run build` first (dist/ missing)");

describe.skipIf(!ready)("niotebook in tmux", () => {
  let server: RealServer;
  let pane: TmuxPane;
  let configHome: string;

  beforeAll(async () => {
    server = await startRealServer({ seed: ["--users", "12", "--posts", String(SEEDED_POSTS), "--shared-timestamp", "60"] });
    configHome = mkdtempSync(join(tmpdir(), "niotebook-e2e-config-"));
    pane = new TmuxPane(`${process.execPath} ${CLIENT_BIN} --server ${server.url}`, {
      XDG_CONFIG_HOME: configHome,
      TERM: "xterm-256color",
    });
    pane.start(80, 24);
  }, 90_000);

  afterAll(async () => {
    pane?.kill();
    await server?.stop();
    if (configHome) rmSync(configHome, { recursive: true, force: true });
  });

  it("signs up and sees the timeline", async () => {
    await pane.waitFor("Log in to niotebook");
    await pane.press("C-t");
    await pane.waitFor("Create your niotebook account");
    pane.text("e2e_user");
    await pane.press("Tab");
    pane.text("e2e@example.com");
    await pane.press("Tab");
    pane.text("password123");
    await pane.press("Tab");
    pane.text("password123");
    await pane.press("Enter");
    const screen = await pane.waitFor("Welcome, @e2e_user");
    expect(screen).toContain("niotebook · @e2e_user");
    await pane.waitFor((s) => selectedLine(s).includes("@"));
  });

  it("pages to the oldest post: every seeded post once, none twice", async () => {
    for (let i = 0; i < 40; i++) {
      await pane.press("G");
      if (pane.capture().includes("reached the oldest post")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const screen = await pane.waitFor("reached the oldest post");
    expect(screen).toContain(`${SEEDED_POSTS} posts`);
    await pane.press("g");
    await pane.waitFor((s) => !s.includes("reached the oldest post"));
  });

  it("composes and publishes; the new post is selected at the top", async () => {
    await pane.press("n");
    await pane.waitFor("New post");
    pane.text("Hello from tmux");
    await pane.press("Enter");
    pane.text("second line");
    await pane.waitFor("27/140");
    await pane.press("C-s");
    const screen = await pane.waitFor((s) => s.includes("Posted") && selectedLine(s).includes("@e2e_user · now"));
    expect(screen).toContain("Hello from tmux");
    expect(screen).toContain("second line");
  });

  it("cancelling compose keeps the text as a draft that n reopens", async () => {
    await pane.press("n");
    await pane.waitFor("New post");
    pane.text("an unfinished thought");
    await pane.press("Escape");
    await pane.waitFor((s) => !s.includes("New post"));
    await pane.press("n");
    const screen = await pane.waitFor("New post");
    expect(screen).toContain("an unfinished thought");
    await pane.press("C-u", "Escape");
    await pane.waitFor((s) => !s.includes("New post"));
  });

  it("views a post in full in its thread and goes back", async () => {
    await pane.press("v");
    // The header is drawn before the thread arrives ("Loading…" under it): wait for the post.
    await pane.waitFor(/Thread\s*\n[\s\S]*Hello from tmux/);
    await pane.press("Escape");
    await pane.waitFor("[2 Global]");
  });

  it("deletes its own post after confirming", async () => {
    await pane.press("g", "d");
    await pane.waitFor("Delete this post? y/n");
    await pane.press("y");
    const screen = await pane.waitFor("Post deleted");
    expect(screen).not.toContain("Hello from tmux");
  });

  it("opens and edits its profile", async () => {
    await pane.press("p");
    await pane.waitFor("Joined");
    await pane.press("e");
    await pane.waitFor("Edit profile");
    await pane.press("Tab");
    pane.text("Lives in tmux.");
    await pane.waitFor("14/160");
    await pane.press("C-s");
    const screen = await pane.waitFor("Profile saved");
    expect(screen).toContain("Lives in tmux.");
  });

  it("shows help for the current view", async () => {
    await pane.press("?");
    let screen = await pane.waitFor("Keys — Profile");
    // The list is longer than the pane: page through it (Space) until the profile's own key shows.
    for (let page = 0; page < 6 && !screen.includes("Edit display name and bio"); page++) {
      await pane.press("Space");
      screen = await pane.waitFor("Keys — Profile");
    }
    expect(screen).toContain("Edit display name and bio");
    await pane.press("Escape");
    await pane.waitFor((s) => !s.includes("Keys —"));
  });

  it("says the terminal is too small below 40×10 and recovers", async () => {
    await pane.press("Escape");
    await pane.waitFor("[2 Global]");
    pane.resize(36, 8);
    await pane.waitFor("Terminal too small");
    // Narrower again: the last frame is redrawn from a clean screen, not left in pieces above.
    pane.resize(25, 8);
    const small = await pane.waitFor((s) => s.includes("resize to at least 40×10"));
    expect(small.split("\n").filter((l) => l.trim() !== "")).toEqual(["Terminal too small —", "resize to at least 40×10"]);
    pane.resize(80, 24);
    const screen = await pane.waitFor((s) => !s.includes("Terminal too small") && s.includes("[2 Global]"));
    expect(screen).toContain("niotebook · @e2e_user");
  });

  it("quits with q and starts again still logged in", async () => {
    await pane.press("q");
    await pane.waitFor(() => pane.isDead(), 5_000);
    pane.respawn();
    const screen = await pane.waitFor((s) => s.includes("niotebook · @e2e_user") && selectedLine(s).includes("@"), 15_000);
    expect(screen).not.toContain("Log in to niotebook");
  });
});
