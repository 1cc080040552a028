// The server as a user runs it: the built bin, real signals, a real data folder.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  json, removeTempDirs, runServerCommand as run, serverInfo, startServerProcess, tempDataDir as tempDir,
} from "../support/server-process.js";

afterAll(removeTempDirs);

async function start(dataDir: string, env: Record<string, string> = {}) {
  const server = await startServerProcess({ NIOTEBOOK_DATA_DIR: dataDir, ...env });
  expect(serverInfo(dataDir)).toEqual({ pid: server.child.pid, url: server.url });
  return server;
}

describe("niotebook-server as a process", () => {
  it("prints its version and help without touching a database", () => {
    const version = run(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    for (const name of ["NIOTEBOOK_HOST", "NIOTEBOOK_PORT", "NIOTEBOOK_DB_URL", "NIOTEBOOK_DATA_DIR", "NIOTEBOOK_JWT_SECRET",
      "NIOTEBOOK_ACCESS_TOKEN_TTL", "NIOTEBOOK_REFRESH_TOKEN_TTL", "NIOTEBOOK_REFRESH_REUSE_GRACE", "NIOTEBOOK_RATE_LIMIT",
      "NIOTEBOOK_TRUST_PROXY", "NIOTEBOOK_REDIS_URL", "NIOTEBOOK_CORS_ORIGIN", "NIOTEBOOK_LOG_LEVEL"]) {
      expect(help.stdout).toContain(name);
    }
  });

  it("refuses to start on PostgreSQL without a JWT secret, and on bad settings, saying what to do", () => {
    const noSecret = run([], { NIOTEBOOK_DB_URL: "postgres://postgres@127.0.0.1:5432/postgres", NIOTEBOOK_JWT_SECRET: "" });
    expect(noSecret.status).toBe(2);
    expect(noSecret.stderr).toContain("NIOTEBOOK_JWT_SECRET is required");
    const short = run([], { NIOTEBOOK_JWT_SECRET: "short" });
    expect(short.stderr).toContain("at least 32 bytes");
    const ttl = run([], { NIOTEBOOK_ACCESS_TOKEN_TTL: "soon" });
    expect(ttl.status).toBe(2);
    expect(ttl.stderr).toContain("NIOTEBOOK_ACCESS_TOKEN_TTL");
    expect(run([], { NIOTEBOOK_RATE_LIMIT: "sometimes" }).stderr).toContain("NIOTEBOOK_RATE_LIMIT");
  });

  it("owns its data folder: private modes, one process at a time, clean SIGTERM, stale lock taken over", async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, "jwt-secret")).mode & 0o777).toBe(0o600);
    expect((await json(`${first.url}/health`)).body.status).toBe("ok");
    if (process.platform === "linux") {
      // It replaced itself with its memory settings, keeping the PID we started.
      expect(readFileSync(`/proc/${first.child.pid}/cmdline`, "utf8").split("\0")).toEqual(expect.arrayContaining(["--max-semi-space-size=16", "--heap-growing-percent=50", "--no-allocation-site-pretenuring", "--no-maglev"]));
      expect(readFileSync(`/proc/${first.child.pid}/environ`, "utf8").split("\0")).toContain("MALLOC_MMAP_THRESHOLD_=131072");
    }

    for (const args of [[], ["migrate"], ["seed", "--users", "1", "--posts", "1"]]) {
      const startedAt = Date.now();
      const second = run(args, { NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_PORT: "0" });
      expect(second.status, args.join(" ")).toBe(1);
      expect(second.stderr).toContain(`data folder in use by process ${first.child.pid}`);
      expect(Date.now() - startedAt).toBeLessThan(10_000);
    }
    expect((await json(`${first.url}/health`)).status).toBe(200);

    const reg = await json(`${first.url}/api/v1/auth/register`, { method: "POST", body: JSON.stringify({ username: "durable", email: "d@x.io", password: "password123" }) });
    expect(reg.status).toBe(201);
    const token = reg.body.tokens.access_token as string;
    const post = await json(`${first.url}/api/v1/posts`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ content: "survives SIGTERM" }) });
    expect(post.status).toBe(201);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dataDir, "niotebook.lock"))).toBe(false);
    expect(existsSync(join(dataDir, "server.json"))).toBe(false);

    // Acknowledged writes survive kill -9, and the dead process's lock is taken over.
    const second = await start(dataDir);
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await json(`${second.url}/api/v1/posts`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ content: `acked ${i}` }) });
      expect(res.status).toBe(201);
      acked.push(res.body.post.id);
    }
    second.child.kill("SIGKILL");
    await second.exited;
    expect(existsSync(join(dataDir, "niotebook.lock"))).toBe(true);

    const third = await start(dataDir);
    const page = await json(`${third.url}/api/v1/timeline?limit=100`, { headers: { authorization: `Bearer ${token}` } });
    const ids = (page.body.posts as Array<{ id: string; content: string }>).map((p) => p.id);
    for (const id of acked) expect(ids).toContain(id);
    expect((page.body.posts as Array<{ content: string }>).map((p) => p.content)).toContain("survives SIGTERM");
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
    // Logs never carry the secrets that passed through.
    for (const out of [first.output(), second.output(), third.output()]) {
      expect(out).not.toContain("password123");
      expect(out).not.toContain(token);
    }
  }, 120_000);

  it("logs JSON lines to a pipe, and lines a person can read when NIOTEBOOK_LOG_FORMAT=pretty", async () => {
    const dataDir = tempDir(); // one folder: the second start finds it migrated
    for (const format of ["", "pretty"]) {
      const server = await start(dataDir, format ? { NIOTEBOOK_LOG_FORMAT: format } : {});
      await json(`${server.url}/health`);
      expect(await server.stop()).toBe(0);
      const lines = server.output().split("\n").filter((l) => l.includes("listening on"));
      expect(lines, format).toHaveLength(1);
      if (format === "pretty") {
        expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: niotebook-server listening on http:/);
      } else {
        expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: expect.stringContaining("listening on") });
      }
    }
  }, 120_000);

  it("migrate says what it applied, then that there is nothing left to apply", () => {
    const dataDir = tempDir();
    const first = run(["migrate"], { NIOTEBOOK_DATA_DIR: dataDir });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^applied \d+ migration\(s\): 0001_initial, /);
    const again = run(["migrate"], { NIOTEBOOK_DATA_DIR: dataDir });
    expect(again.stdout.trim()).toBe("migrations are up to date");
  }, 60_000);

  it("starts over a first start killed while its database was being loaded", () => {
    // What a kill -9 leaves part-way through loading the initialised database: the marker,
    // PG_VERSION and a few of the files (postgresql.conf and others still missing).
    const dataDir = tempDir();
    mkdirSync(join(dataDir, "pgdata", "base"), { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, "pgdata", "PG_VERSION"), "17\n");
    writeFileSync(join(dataDir, "pgdata.loading"), "");
    const first = run(["migrate"], { NIOTEBOOK_DATA_DIR: dataDir });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^applied \d+ migration\(s\): 0001_initial, /);
    expect(existsSync(join(dataDir, "pgdata.loading"))).toBe(false);
    expect(run(["migrate"], { NIOTEBOOK_DATA_DIR: dataDir }).stdout.trim()).toBe("migrations are up to date");
  }, 60_000);

  it("seeds users and posts, some sharing one timestamp", async () => {
    const dataDir = tempDir();
    const seeded = run(["seed", "--users", "5", "--posts", "300", "--shared-timestamp", "60"], { NIOTEBOOK_DATA_DIR: dataDir });
    expect(seeded.status, seeded.stderr).toBe(0);
    expect(seeded.stdout).toContain("seeded 5 users, 300 posts");
    const example = /e\.g\. (\S+@example\.com), password (\S+)/.exec(seeded.stdout);
    expect(example, seeded.stdout).not.toBeNull();
    const server = await start(dataDir);
    // The e-mail and password the seed names are ones a person can log in with.
    const seededLogin = await json(`${server.url}/api/v1/auth/login`, { method: "POST", body: JSON.stringify({ email: example![1], password: example![2] }) });
    expect(seededLogin.status).toBe(200);
    const login = await json(`${server.url}/api/v1/auth/register`, { method: "POST", body: JSON.stringify({ username: "seedreader", email: "s@x.io", password: "password123" }) });
    const auth = { authorization: `Bearer ${login.body.tokens.access_token}` };
    const seen = new Set<string>();
    const times = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const page = await json(`${server.url}/api/v1/timeline?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: auth });
      for (const p of page.body.posts as Array<{ id: string; created_at: string }>) {
        expect(seen.has(p.id)).toBe(false);
        seen.add(p.id);
        times.set(p.created_at, (times.get(p.created_at) ?? 0) + 1);
      }
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.size).toBe(300);
    expect(Math.max(...times.values())).toBeGreaterThanOrEqual(60);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  }, 120_000);
});
