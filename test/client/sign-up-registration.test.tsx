// The sign-up form follows how the server takes new accounts (GET /api/v1/instance): an
// invite code field on an invite-only server, a plain notice on a closed one.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeApi } from "./helpers/fake-api.js";
import { KEY, renderApp } from "./helpers/render-app.js";
import { SERVER_BIN, builtServerAvailable, startRealServer, type RealServer } from "./helpers/real-server.js";

const available = builtServerAvailable();

async function fillSignUp(app: ReturnType<typeof renderApp>, fields: string[]): Promise<void> {
  for (const [i, text] of fields.entries()) {
    if (i > 0) await app.press(KEY.tab);
    await app.type(text);
  }
  await app.press(KEY.enter);
}

describe.skipIf(!available)("signing up on an invite-only server", () => {
  let server: RealServer;
  beforeAll(async () => {
    server = await startRealServer({ env: { NIOTEBOOK_REGISTRATION: "invite" } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("asks for the invite code first, says a wrong one is wrong under its field, and signs up with a real one", async () => {
    const made = spawnSync(process.execPath, [SERVER_BIN, "admin", "invites", "create"], {
      env: { ...process.env, NIOTEBOOK_DATA_DIR: server.dataDir, NIOTEBOOK_LOG_LEVEL: "error" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(made.status, made.stderr).toBe(0);
    const code = made.stdout.trim();
    const app = renderApp({ serverUrl: server.url });
    try {
      await app.waitFor("Log in to niotebook");
      await app.press(KEY.ctrl("t"));
      await app.waitFor("Invite code", 10_000);
      await fillSignUp(app, ["not-a-code", "invited_one", "invited@example.com", "password123", "password123"]);
      const refused = await app.waitFor((f) => /✗ .*invite/i.test(f), 10_000);
      expect(refused.split("\n").findIndex((l) => l.includes("✗"))).toBeLessThan(refused.split("\n").findIndex((l) => l.includes("Username")));
      // Back to the invite field, replace the code, submit again.
      for (let i = 0; i < 12; i++) await app.press(KEY.backspace);
      await app.type(code);
      await app.press(KEY.enter);
      await app.waitFor("Welcome, @invited_one", 10_000);
    } finally {
      app.cleanup();
    }
  }, 60_000);
});

describe("signing up on a closed server", () => {
  it("says so on the form and sends nothing", async () => {
    const fake = await startFakeApi();
    fake.stub.on("GET", "/api/v1/instance", () => ({
      body: { name: "Niotebook", version: "1", registration: "closed", limits: { post_characters: 140, display_name_characters: 50, bio_characters: 160, page_limit_max: 100 } },
    }));
    const app = renderApp({ serverUrl: fake.url });
    try {
      await app.waitFor("Log in to niotebook");
      await app.press(KEY.ctrl("t"));
      await app.waitFor("This server is not taking new accounts");
      await fillSignUp(app, ["closed_one", "closed@example.com", "password123", "password123"]);
      await app.waitFor((f) => f.split("\n").filter((l) => l.includes("This server is not taking new accounts")).length >= 1);
      expect(fake.stub.requests.some((r) => r.path === "/api/v1/auth/register")).toBe(false);
    } finally {
      app.cleanup();
      await fake.close();
    }
  });
});
