// `niotebook login --ssh-key` and `niotebook keys …` against a real server on the embedded
// database, with keys made by ssh-keygen and one held only by an ssh-agent.
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../src/client/api-client.js";
import { keysCommand } from "../../src/client/cli/commands/keys.js";
import { sshLoginCommand } from "../../src/client/cli/commands/ssh-login.js";
import { SessionStore } from "../../src/client/config/session-store.js";
import { signUp, startTestServer, type TestServer } from "../server/harness.js";
import { generateKey, startAgent, tempDir, type Agent } from "../support/ssh-tools.js";

function captured() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe("SSH log-in and keys from the command line", () => {
  let server: TestServer;
  let url: string;
  let dir: string;
  let agent: Agent;
  const client = (name: string, baseUrl = url) => new ApiClient({ baseUrl, session: new SessionStore(tempDir(`niotebook-cli-${name}-`), baseUrl) });

  beforeAll(async () => {
    server = await startTestServer("embedded");
    await server.app.listen({ host: "127.0.0.1", port: 0 });
    const address = server.app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    dir = tempDir("niotebook-cli-keys-");
    agent = await startAgent(dir);
  });
  afterAll(async () => {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  });

  it("adds, lists and removes keys; logs in with a key file and with the agent", async () => {
    const { auth, password, email } = await signUp(server.app, "clikeys");
    const api = client("owner");
    await api.login({ email, password });
    const plain = generateKey(dir, "plain", "ed25519");
    // Held only by the agent: the private key file is gone, its .pub remains.
    const locked = generateKey(dir, "locked", "ecdsa256");
    agent.add(locked);
    rmSync(locked);

    let c = captured();
    expect(await keysCommand(api, { action: "add", argument: plain }, c.io)).toBe(0); // private key path: its .pub is used
    expect(c.out.join("")).toMatch(/^Added ssh-ed25519 SHA256:\S+ plain@test\n$/);
    c = captured();
    expect(await keysCommand(api, { action: "add", argument: `${locked}.pub`, json: true }, c.io)).toBe(0);
    const lockedKey = JSON.parse(c.out.join(""));
    expect(lockedKey.type).toBe("ecdsa-sha2-nistp256");
    c = captured();
    expect(await keysCommand(api, { action: "add", argument: `${plain}.pub` }, c.io)).toBe(1);
    expect(c.err.join("")).toMatch(/already/);
    c = captured();
    expect(await keysCommand(api, { action: "list", json: true }, c.io)).toBe(0);
    expect(c.out).toHaveLength(2);

    c = captured();
    const fileLogin = client("file");
    expect(await sshLoginCommand(fileLogin, { username: "@clikeys", keyPath: plain }, c.io)).toBe(0);
    expect(c.out.join("")).toBe("Logged in as @clikeys\n");
    expect((await fileLogin.me()).id).toBe(auth.user.id);

    c = captured();
    const agentLogin = client("agent");
    expect(await sshLoginCommand(agentLogin, { username: "clikeys", keyPath: locked, agentSocket: agent.socket }, c.io)).toBe(0);
    expect(c.out.join("")).toMatch(/ssh-agent/);
    expect((await agentLogin.me()).id).toBe(auth.user.id);

    c = captured();
    expect(await keysCommand(api, { action: "remove", argument: lockedKey.fingerprint }, c.io)).toBe(0);
    c = captured();
    expect(await sshLoginCommand(client("removed"), { username: "clikeys", keyPath: locked, agentSocket: agent.socket }, c.io)).toBe(1);
    expect(c.err.join("")).toMatch(/Invalid username, challenge or signature/);
    c = captured();
    expect(await keysCommand(api, { action: "remove", argument: "SHA256:nope" }, c.io)).toBe(1);
    expect(await keysCommand(api, { action: "frob" }, captured().io)).toBe(2);
    expect(await keysCommand(client("nobody"), { action: "list" }, captured().io)).toBe(3);
    expect(readFileSync(`${plain}.pub`, "utf8")).toContain("ssh-ed25519");
  });

  it("refuses to sign a challenge naming another server", async () => {
    await signUp(server.app, "cliorigin");
    // The same server reached under another name: its challenges name 127.0.0.1, not localhost.
    const config = server.ctx.config;
    config.publicOrigin = "https://elsewhere.example";
    try {
      const c = captured();
      expect(await sshLoginCommand(client("origin"), { username: "cliorigin", keyPath: generateKey(dir, "o", "ed25519") }, c.io)).toBe(1);
      expect(c.err.join("")).toMatch(/not for http:\/\/127\.0\.0\.1:\d+; refusing to sign/);
    } finally {
      config.publicOrigin = undefined;
    }
  });
});
