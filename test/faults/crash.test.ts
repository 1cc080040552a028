// kill -9 in the middle of work: every write that got a 201 is there after a restart, nothing
// is half-written, and the server starts again without manual repair.
import { afterAll, describe, expect, it } from "vitest";
import { json, registerUser, removeTempDirs, startServerProcess } from "../support/server-process.js";
import { FAULT_BACKENDS, freshEnvironment } from "./backends.js";

afterAll(removeTempDirs);

describe.each(FAULT_BACKENDS)("kill -9 on %s", (backend) => {
  it("keeps every acknowledged post written during a storm of concurrent writes", async () => {
    const { env, cleanup } = await freshEnvironment(backend);
    try {
      const first = await startServerProcess(env);
      const { tokens } = await registerUser(first.url, "stormy");
      const auth = { authorization: `Bearer ${tokens.access_token}` };
      const acked = new Map<string, string>();
      let stop = false;
      let sent = 0;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const content = `storm ${w}-${i}`;
          sent++;
          try {
            const res = await json(`${first.url}/api/v1/posts`, { method: "POST", headers: auth, body: JSON.stringify({ content }) });
            if (res.status === 201) acked.set(res.body.post.id, content);
          } catch {
            return; // the connection died with the server: that write was never acknowledged
          }
        }
      };
      const writers = Array.from({ length: 32 }, (_, w) => writer(w));
      await new Promise((r) => setTimeout(r, 2_500));
      first.child.kill("SIGKILL");
      await first.exited;
      stop = true;
      await Promise.all(writers);
      expect(acked.size).toBeGreaterThan(20);

      const second = await startServerProcess(env);
      try {
        const found = new Map<string, string>();
        let cursor: string | null = null;
        do {
          const page = await json(`${second.url}/api/v1/users/me/posts?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: auth });
          expect(page.status).toBe(200);
          for (const p of page.body.posts) found.set(p.id, p.content);
          cursor = page.body.next_cursor;
        } while (cursor);
        for (const [id, content] of acked) expect(found.get(id), id).toBe(content);
        // Nothing half-written: every stored post is one the writers sent, whole.
        for (const content of found.values()) expect(content).toMatch(/^storm \d+-\d+$/);
        expect(found.size).toBeLessThanOrEqual(sent);
        // And it still takes writes.
        expect((await json(`${second.url}/api/v1/posts`, { method: "POST", headers: auth, body: '{"content":"after the crash"}' })).status).toBe(201);
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      await cleanup();
    }
  }, 180_000);

  it("starts cleanly after being killed at any moment of its first start and migration", async () => {
    const { env, cleanup } = await freshEnvironment(backend);
    try {
      for (const delayMs of [150, 400, 800, 1_500, 2_500, 4_000]) {
        const { spawn } = await import("node:child_process");
        const { SERVER_BIN, freePort } = await import("../support/server-process.js");
        const child = spawn(process.execPath, [SERVER_BIN], { env: { ...process.env, ...env, NIOTEBOOK_PORT: String(await freePort()) }, stdio: "ignore" });
        await new Promise((r) => setTimeout(r, delayMs));
        child.kill("SIGKILL");
        await new Promise((r) => child.once("exit", r));
      }
      const server = await startServerProcess(env);
      try {
        const { tokens } = await registerUser(server.url, "survivor");
        const res = await json(`${server.url}/api/v1/timeline`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
        expect(res.status).toBe(200);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    } finally {
      await cleanup();
    }
  }, 240_000);
});
