import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { helpText, parseArgs } from "../../src/client/cli/args.js";
import { colorsWanted } from "../../src/client/theme.js";
import { builtClientAvailable, CLIENT_BIN, REPO_ROOT } from "./helpers/real-server.js";

const version = (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, "utf8")) as { version: string }).version;

describe("parseArgs", () => {
  it("reads --server in both spellings, local, help and version", () => {
    expect(parseArgs(["--server", "http://x:1"])).toEqual({ command: "tui", server: "http://x:1" });
    expect(parseArgs(["--server=http://x:1"])).toEqual({ command: "tui", server: "http://x:1" });
    expect(parseArgs(["local"]).command).toBe("local");
    expect(parseArgs(["--help"]).command).toBe("help");
    expect(parseArgs(["--version"]).command).toBe("version");
    expect(parseArgs(["--bogus"]).error).toMatch(/Unknown argument/);
    expect(parseArgs(["--server", "not a url"]).error).toMatch(/expects an http/);
  });

  it("takes global options anywhere, short forms, and names what it refuses as typed", () => {
    expect(parseArgs(["-s", "http://x:1", "local"])).toEqual({ command: "local", server: "http://x:1" });
    expect(parseArgs(["local", "--server=http://x:1"])).toEqual({ command: "local", server: "http://x:1" });
    expect(parseArgs(["-h"]).command).toBe("help");
    expect(parseArgs(["help"])).toEqual({ command: "help" });
    for (const flag of ["-v", "-V"]) expect(parseArgs([flag]).command).toBe("version");
    expect(parseArgs(["--server"]).error).toBe("--server needs a URL");
    expect(parseArgs(["--server", "--help"]).error).toBe("--server needs a URL");
    expect(parseArgs(["local", "-x"]).error).toBe("Unknown argument: -x");
    expect(parseArgs(["local", "extra"]).error).toBe("Unknown argument: extra");
    expect(parseArgs(["nope"]).error).toBe("Unknown argument: nope");
  });

  it("gives a subcommand its own --help", () => {
    expect(parseArgs(["local", "--help"])).toEqual({ command: "help", topic: "local" });
    expect(parseArgs(["help", "local"])).toEqual({ command: "help", topic: "local" });
    expect(helpText("local")).toMatch(/^Usage: niotebook local\n/);
    expect(helpText()).toContain("niotebook local");
    expect(helpText("nope")).toBe(helpText());
  });
});

describe("parseArgs: SSH log-in and keys", () => {
  it("reads login --username --ssh-key, and refuses half or mixed forms with usage (exit 2)", () => {
    expect(parseArgs(["login", "--username", "@Ann", "--ssh-key", "/k/id"])).toEqual({ command: "login", username: "ann", sshKey: "/k/id", json: false });
    expect(parseArgs(["login", "-u", "ann", "-i", "/k/id", "--json"])).toEqual({ command: "login", username: "ann", sshKey: "/k/id", json: true });
    expect(parseArgs(["login", "--email", "a@b.c"])).toEqual({ command: "login", email: "a@b.c", json: false });
    expect(parseArgs(["login", "--ssh-key", "/k/id"])).toEqual({ command: "help", topic: "login", error: "--ssh-key needs --username" });
    expect(parseArgs(["login", "--email", "a@b.c", "--username", "ann", "--ssh-key", "/k/id"]).error).toBe("--email and --ssh-key cannot go together");
    expect(parseArgs(["login", "--username", "ann"]).error).toMatch(/--username goes with --ssh-key/);
    expect(parseArgs(["login", "--username", "not a name", "--ssh-key", "/k/id"]).error).toBe("not a username: not a name");
    expect(parseArgs(["login", "--ssh-key"]).topic).toBe("login");
  });

  it("reads keys add PATH, list, remove ID; anything else is bad usage", () => {
    expect(parseArgs(["keys", "add", "/k/id.pub"])).toEqual({ command: "keys", keysAction: "add", keysArgument: "/k/id.pub", json: false });
    expect(parseArgs(["keys", "list", "--json"])).toEqual({ command: "keys", keysAction: "list", json: true });
    expect(parseArgs(["keys", "remove", "SHA256:abc", "-s", "http://x:1"])).toEqual({ command: "keys", keysAction: "remove", keysArgument: "SHA256:abc", json: false, server: "http://x:1" });
    expect(parseArgs(["keys"]).error).toBe("keys needs add, list or remove");
    expect(parseArgs(["keys", "frob"]).error).toBe("unknown keys command: frob");
    expect(parseArgs(["keys", "add"]).error).toMatch(/needs the path/);
    expect(parseArgs(["keys", "remove"]).error).toMatch(/needs a key's id/);
    expect(parseArgs(["keys", "list", "extra"]).error).toMatch(/takes no argument/);
    expect(parseArgs(["keys", "add", "a", "b"]).error).toMatch(/takes one PATH/);
    expect(parseArgs(["keys", "--help"])).toEqual({ command: "help", topic: "keys" });
  });

  it("lists login's SSH form, keys and serve in --help", () => {
    expect(helpText()).toContain("niotebook login [--email E | --username U --ssh-key PATH]");
    expect(helpText()).toContain("niotebook keys add PATH | list | remove ID");
    expect(helpText()).toContain("niotebook serve [ARGS]      run the server (single executable only)");
    expect(helpText("login")).toContain("--ssh-key PATH");
    expect(helpText("keys")).toMatch(/^Usage: niotebook keys add PATH \| list \| remove ID\n/);
  });
});

describe("colours", () => {
  it("are off with NO_COLOR or when the output is not a terminal", () => {
    expect(colorsWanted({ NO_COLOR: "1" }, { isTTY: true })).toBe(false);
    expect(colorsWanted({}, { isTTY: false })).toBe(false);
    expect(colorsWanted({}, { isTTY: true, hasColors: () => true })).toBe(true);
    expect(colorsWanted({}, { isTTY: true, hasColors: () => false })).toBe(false);
  });
});

describe.skipIf(!builtClientAvailable())("bin/niotebook.js (built)", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLIENT_BIN, ...args], { encoding: "utf8", env: { ...process.env, NIOTEBOOK_SERVER: "http://127.0.0.1:1" }, timeout: 10_000 });

  it("refuses an older Node.js with the version it needs and how to get it, for both commands", () => {
    // Pretend to be Node 24.6 before the bin runs (argon2 arrived in node:crypto in 24.7).
    const older = "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '24.6.9' } });";
    for (const bin of [CLIENT_BIN, CLIENT_BIN.replace(/niotebook\.js$/, "niotebook-server.js")]) {
      const result = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(older)}`, bin, "--version"], { encoding: "utf8", timeout: 10_000 });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("needs Node.js 24.7 or newer");
      expect(result.stdout).toBe("");
    }
  });

  it("--version prints the package version without a server", () => {
    const result = run("--version");
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(`niotebook ${version}`);
  });

  it("--help prints usage without a server", () => {
    const result = run("--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("niotebook local");
    expect(result.stdout).toContain("--server URL");
  });

  it("an unknown argument is an error with usage", () => {
    const result = run("--nope");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown argument: --nope");
  });
});
