// `niotebook login --ssh-key` and `niotebook keys …` through the built bin/niotebook.js against
// a real server on the embedded database, with keys made by ssh-keygen and one held only by
// an ssh-agent.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../server/harness.js";
import { generateKey, startAgent, tempDir, type Agent } from "../support/ssh-tools.js";
import { builtClientAvailable, CLIENT_BIN } from "./helpers/real-server.js";

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The built client in its own config folder (one per "machine"). Asynchronous: the server
 * runs in this process and must go on answering while the client waits.
 */
function niotebook(configHome: string, args: string[], options: { stdin?: string; agentSocket?: string } = {}): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: configHome, NO_COLOR: "1" };
  delete env.NIOTEBOOK_SERVER;
  delete env.SSH_AUTH_SOCK;
  if (options.agentSocket) env.SSH_AUTH_SOCK = options.agentSocket;
  const child = spawn(process.execPath, [CLIENT_BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe.skipIf(!builtClientAvailable())("SSH log-in and keys from the command line (bin/niotebook.js)", () => {
  let server: TestServer;
  let url: string;
  let dir: string;
  let agent: Agent;
  /** A fresh config folder: a machine with no session yet. */
  const machine = (name: string) => mkdtempSync(join(dir, `home-${name}-`));
  const run = (home: string, args: string[], options?: { stdin?: string; agentSocket?: string }) => niotebook(home, [...args, "--server", url], options);

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
    const owner = machine("owner");
    expect((await run(owner, ["login", "--email", email], { stdin: `${password}\n` })).status).toBe(0);
    const plain = generateKey(dir, "plain", "ed25519");
    // Held only by the agent: the private key file is gone, its .pub remains.
    const locked = generateKey(dir, "locked", "ecdsa256");
    agent.add(locked);
    rmSync(locked);

    let r = await run(owner, ["keys", "add", plain]); // private key path: its .pub is used
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout).toMatch(/^Added ssh-ed25519 SHA256:\S+ plain@test\n$/);
    r = await run(owner, ["keys", "add", `${locked}.pub`, "--json"]);
    expect(r.status).toBe(0);
    const lockedKey = JSON.parse(r.stdout) as { type: string; fingerprint: string; id: string };
    expect(lockedKey.type).toBe("ecdsa-sha2-nistp256");
    r = await run(owner, ["keys", "add", `${plain}.pub`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/already/);
    r = await run(owner, ["keys", "list", "--json"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { id: string }).id)).toContain(lockedKey.id);
    expect(r.stdout.trim().split("\n")).toHaveLength(2);
    r = await run(owner, ["keys", "list"]);
    expect(r.stdout).toContain(lockedKey.fingerprint);

    const fileLogin = machine("file");
    r = await run(fileLogin, ["login", "--username", "@clikeys", "--ssh-key", plain]);
    expect(r).toMatchObject({ status: 0, stdout: `Logged in as @clikeys at ${url}\n` });
    r = await run(fileLogin, ["whoami", "--json"]);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }).id).toBe(auth.user.id);

    const agentLogin = machine("agent");
    r = await run(agentLogin, ["login", "--username", "clikeys", "--ssh-key", locked, "--json"], { agentSocket: agent.socket });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }).id).toBe(auth.user.id);

    r = await run(owner, ["keys", "remove", lockedKey.fingerprint]);
    expect(r).toMatchObject({ status: 0, stdout: `Removed ecdsa-sha2-nistp256 ${lockedKey.fingerprint}\n` });
    // The server refuses the signature (401): like a wrong password, "log in again" (exit 3).
    r = await run(machine("removed"), ["login", "--username", "clikeys", "--ssh-key", locked], { agentSocket: agent.socket });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/Invalid username, challenge or signature/);
    r = await run(owner, ["keys", "remove", "SHA256:nope"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/No key SHA256:nope/);
    expect((await run(owner, ["keys", "frob"])).status).toBe(2);
    expect((await run(owner, ["login", "--email", email, "--ssh-key", plain])).status).toBe(2);
    expect((await run(owner, ["login", "--ssh-key", plain])).status).toBe(2);
    r = await run(machine("nobody"), ["keys", "list"]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/Not logged in/);
    expect(readFileSync(`${plain}.pub`, "utf8")).toContain("ssh-ed25519");
  });

  it("refuses to sign a challenge naming another server", async () => {
    await signUp(server.app, "cliorigin");
    // The same server reached under another name: its challenges name the other origin.
    const config = server.ctx.config;
    config.publicOrigin = "https://elsewhere.example";
    try {
      const r = await run(machine("origin"), ["login", "--username", "cliorigin", "--ssh-key", generateKey(dir, "o", "ed25519")]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/not for http:\/\/127\.0\.0\.1:\d+; refusing to sign/);
    } finally {
      config.publicOrigin = undefined;
    }
  });
});
