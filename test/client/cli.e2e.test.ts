// The command line as a script uses it: a bash script against a real server (built, on its
// embedded database) posts, reads the timeline as JSON lines, and checks the exit codes.
// Parsing is done here, without jq.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtClientAvailable, builtServerAvailable, CLIENT_BIN, startRealServer, type RealServer } from "./helpers/real-server.js";

const SCRIPT = String.raw`#!/usr/bin/env bash
# Every step prints name=exit-code on a line of its own; outputs go to files in $OUT.
set -u
nb() { node "$CLIENT_BIN" "$@"; }
step() { echo "$1=$2"; }

nb post "before logging in" 2> "$OUT/not-logged-in.err"; step not_logged_in $?
echo "not the password" | nb login --email alice@example.com 2> "$OUT/bad-password.err"; step bad_password $?
echo "password123" | nb login --email alice@example.com > "$OUT/login.out"; step login $?
nb post "hello from bash" > /dev/null; step post $?
printf 'two lines\nfrom stdin\n' | nb post --json > "$OUT/post.json"; step post_stdin $?
nb timeline --global --limit 10 --json > "$OUT/timeline.jsonl"; step timeline $?
nb post "$(printf 'x%.0s' $(seq 141))" 2> "$OUT/too-long.err"; step too_long $?
nb timeline --bogus 2> "$OUT/bad-flag.err"; step bad_flag $?
nb timeline --limit 500 2> /dev/null; step bad_limit $?
nb whoami > "$OUT/whoami.out"; step whoami $?
nb logout > /dev/null; step logout $?
nb whoami > /dev/null 2>&1; step after_logout $?
`;

describe.skipIf(!builtServerAvailable() || !builtClientAvailable())("niotebook from a shell script, against a real server", () => {
  let server: RealServer;
  let root: string;
  beforeAll(async () => {
    server = await startRealServer();
    root = mkdtempSync(join(tmpdir(), "nb-cli-e2e-"));
    const registered = await fetch(`${server.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", email: "alice@example.com", password: "password123" }),
    });
    expect(registered.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("posts, reads the timeline as JSON lines, and exits 3, 1 and 2 where the spec says", () => {
    writeFileSync(join(root, "script.sh"), SCRIPT, { mode: 0o755 });
    const result = spawnSync("bash", [join(root, "script.sh")], {
      encoding: "utf8",
      timeout: 100_000,
      env: {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        CLIENT_BIN,
        OUT: root,
        XDG_CONFIG_HOME: join(root, "config"),
        NIOTEBOOK_SERVER: server.url,
      },
    });
    expect(result.stderr).toBe("");
    const codes = Object.fromEntries(result.stdout.trim().split("\n").map((line) => line.split("=") as [string, string]));
    expect(codes).toEqual({
      not_logged_in: "3", bad_password: "3", login: "0", post: "0", post_stdin: "0", timeline: "0",
      too_long: "1", bad_flag: "2", bad_limit: "2", whoami: "0", logout: "0", after_logout: "3",
    });
    const read = (name: string) => readFileSync(join(root, name), "utf8");

    expect(read("not-logged-in.err")).toMatch(/^niotebook: Not logged in at http/);
    expect(read("bad-password.err")).toBe("niotebook: Invalid email or password\n");
    expect(read("login.out")).toBe(`Logged in as @alice at ${server.url}\n`);
    // The server's own message, as it said it.
    expect(read("too-long.err")).toMatch(/^niotebook: .*140/);
    expect(read("bad-flag.err")).toMatch(/^niotebook: Unknown argument: --bogus\n\nUsage: niotebook timeline/);

    const posted = JSON.parse(read("post.json")) as { id: string; content: string };
    expect(posted.content).toBe("two lines\nfrom stdin");
    const timeline = read("timeline.jsonl").trim().split("\n").map((line) => JSON.parse(line) as { id: string; content: string; author: { username: string } });
    expect(timeline.map((post) => post.content)).toEqual(["two lines\nfrom stdin", "hello from bash"]);
    expect(timeline[0]!.id).toBe(posted.id);
    expect(timeline.every((post) => post.author.username === "alice")).toBe(true);
    expect(read("whoami.out")).toContain(`* ${server.url}`);
  }, 120_000);
});
