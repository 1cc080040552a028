// niotebook-server backup/restore on the embedded database, as an operator runs them: a backup
// of a seeded server taken while posts are being written, restored into an empty data folder,
// holds every post acknowledged before the backup began, and nothing that was not acknowledged.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  json, registerUser, removeTempDirs, runServerCommand, SERVER_BIN, startServerProcess, tempDataDir, type ServerProcess,
} from "../support/server-process.js";

const builtServer = existsSync(join(import.meta.dirname, "../../dist/server/main.js"));

/** The command run without blocking this process: the write load goes on meanwhile. */
function runAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

async function allPostIds(url: string, userId: string, token: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { posts: { id: string }[]; next_cursor: string | null } } = await json(
      `${url}/api/v1/users/${userId}/posts?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(page.status).toBe(200);
    ids.push(...page.body.posts.map((p) => p.id));
    cursor = page.body.next_cursor;
  } while (cursor);
  return ids;
}

describe.skipIf(!builtServer)("backup and restore of the embedded database", () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) await server.stop();
    removeTempDirs();
  });

  it("backs up a seeded server under write load; the restore holds every acknowledged post", async () => {
    const dataDir = tempDataDir();
    const env = { NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_LOG_LEVEL: "error" };
    expect(runServerCommand(["seed", "--users", "5", "--posts", "200"], env).status).toBe(0);
    const server = await startServerProcess(env);
    servers.push(server);
    const writer = await registerUser(server.url, "writer");
    // The route answers only with the data folder's secret: an access token is not it.
    for (const authorization of ["", `Bearer ${writer.tokens.access_token}`]) {
      const refused = await json(`${server.url}/_niotebook/backup`, { method: "POST", headers: { authorization } });
      expect(refused.status).toBe(403);
    }

    // Four writers post until told to stop; every id the server acknowledged is kept.
    const acked: string[] = [];
    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; writing; i++) {
        const res = await json(`${server.url}/api/v1/posts`, {
          method: "POST", headers: { authorization: `Bearer ${writer.tokens.access_token}` }, body: JSON.stringify({ content: `load ${w}.${i}` }),
        });
        if (res.status === 201) acked.push(res.body.post.id as string);
      }
    });
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 20));
    const ackedBefore = [...acked];
    const file = join(dataDir, "..", "backup.tar.gz");
    const backup = await runAsync(["backup", file], env);
    const ackedDuring = acked.length - ackedBefore.length;
    writing = false;
    await Promise.all(writers);
    expect(backup.stderr).toBe("");
    expect(backup.status).toBe(0);
    expect(backup.stdout).toMatch(/from the running server/);
    // The load really went on while the backup was taken.
    expect(ackedDuring).toBeGreaterThan(0);
    await server.stop();

    // With the server stopped, the command takes the lock and dumps the folder itself.
    const offline = runServerCommand(["backup", join(dataDir, "..", "offline.tar.gz")], env);
    expect(offline.stderr).toBe("");
    expect(offline.stdout).toMatch(/server stopped/);
    expect(existsSync(join(dataDir, "niotebook.lock"))).toBe(false);

    // Never over a database: the folder that has one is refused.
    const over = runServerCommand(["restore", file], env);
    expect(over.status).toBe(1);
    expect(over.stderr).toMatch(/already holds a database/);

    const freshDir = tempDataDir();
    const freshEnv = { NIOTEBOOK_DATA_DIR: freshDir, NIOTEBOOK_LOG_LEVEL: "error" };
    const restore = runServerCommand(["restore", file], freshEnv);
    expect(restore.stderr).toBe("");
    expect(restore.status).toBe(0);

    const restored = await startServerProcess(freshEnv);
    servers.push(restored);
    // A new data folder has a new JWT secret: log in again (the accounts came back).
    const login = await json(`${restored.url}/api/v1/auth/login`, { method: "POST", body: JSON.stringify({ email: "writer@example.com", password: "password123" }) });
    expect(login.status).toBe(200);
    const ids = new Set(await allPostIds(restored.url, writer.user.id, login.body.tokens.access_token as string));
    expect(ackedBefore.filter((id) => !ids.has(id))).toEqual([]);
    // Nothing that was not acknowledged: the copy is of committed transactions only.
    const everAcked = new Set(acked);
    expect([...ids].filter((id) => !everAcked.has(id))).toEqual([]);
    // The seeded posts came back too.
    const global = await json(`${restored.url}/api/v1/timeline?limit=1`, { headers: { authorization: `Bearer ${login.body.tokens.access_token}` } });
    expect(global.status).toBe(200);
    await restored.stop();
  }, 300_000);

  it("refuses what it cannot do with a reason and exit code", () => {
    const dataDir = tempDataDir();
    const env = { NIOTEBOOK_DATA_DIR: dataDir };
    expect(runServerCommand(["backup"], env).status).toBe(2);
    const none = runServerCommand(["backup", join(dataDir, "..", "x.tgz")], env);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/no database in/);
    const notGzip = runServerCommand(["restore", SERVER_BIN], env);
    expect(notGzip.status).toBe(1);
    expect(notGzip.stderr).toMatch(/not a niotebook-server backup/);
    const pg = runServerCommand(["backup", "x"], { NIOTEBOOK_DB_URL: "postgres://nobody@127.0.0.1:1/x", NIOTEBOOK_JWT_SECRET: "x".repeat(40) });
    expect(pg.status).toBe(1);
    expect(pg.stderr).toMatch(/pg_dump/);
  });
});
