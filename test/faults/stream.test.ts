// Live streams under faults, on PostgreSQL with real server processes: kill -9 of the process
// holding 100 streams while posts keep coming (every client resumes on the surviving process
// with Last-Event-ID and misses nothing); PostgreSQL unreachable for 10 s from the process
// holding the streams while another process keeps writing (they pause, then get every event
// in order). Clients are ResumingClient: they reconnect as the contract tells them to.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { ResumingClient } from "../support/sse.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { createTestDatabase, json, registerUser, startServerProcess, TEST_JWT_SECRET, type ServerProcess } from "../support/server-process.js";

const adminUrl = process.env.NIOTEBOOK_TEST_DB_URL;
if (!adminUrl) console.warn("NOTICE: stream fault tests skipped: set NIOTEBOOK_TEST_DB_URL to a PostgreSQL server");

describe.skipIf(!adminUrl)("live streams under faults", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  async function start(dbUrl: string): Promise<ServerProcess> {
    const server = await startServerProcess({ NIOTEBOOK_DB_URL: dbUrl, NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET });
    cleanups.push(() => { server.child.kill("SIGKILL"); return server.exited; });
    return server;
  }

  /** Posts through `url` every `everyMs` until stopped; the ids the answers gave, in order. */
  function writer(url: () => string, token: string, everyMs: number) {
    const ids: string[] = [];
    let stopped = false;
    const done = (async () => {
      for (let i = 0; !stopped; i++) {
        const res = await json(`${url()}/api/v1/posts`, {
          method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ content: `tick ${i}` }),
        }).catch(() => ({ status: 0, body: null }));
        if (res.status === 201) ids.push(res.body.post.id);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
    return { ids, stop: async () => { stopped = true; await done; } };
  }

  const postIds = (c: ResumingClient) => c.events.filter((e) => e.event === "post").map((e) => (e.data as { id: string }).id);

  it("kill -9 of the process holding 100 streams: every client resumes on the other and misses nothing", async () => {
    const db = await createTestDatabase(adminUrl!);
    cleanups.push(db.drop);
    const a = await start(db.url);
    const b = await start(db.url);
    const author = await registerUser(b.url, "streamwriter");
    // 13 readers with up to 8 streams each: 100 streams of the global timeline, all on A.
    const readers = await Promise.all(Array.from({ length: 13 }, (_, i) => registerUser(a.url, `streamreader${i}`)));
    let targets = [`${a.url}/api/v1/stream?timeline=global`];
    const clients = Array.from({ length: 100 }, (_, i) => new ResumingClient(() => targets, readers[i % 13]!.tokens.access_token));
    // Every client has its ready before the first post.
    const started = Date.now();
    while (clients.some((c) => c.lastId === undefined)) {
      if (Date.now() - started > 30_000) throw new Error("streams did not open");
      await new Promise((r) => setTimeout(r, 50));
    }
    const w = writer(() => b.url, author.tokens.access_token, 25);
    await new Promise((r) => setTimeout(r, 1_500));
    targets = [`${b.url}/api/v1/stream?timeline=global`];
    a.child.kill("SIGKILL");
    await a.exited;
    await new Promise((r) => setTimeout(r, 2_000));
    await w.stop();
    expect(w.ids.length).toBeGreaterThan(5);
    const deadline = Date.now() + 15_000;
    while (clients.some((c) => postIds(c).length < w.ids.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await Promise.all(clients.map((c) => c.stop()));
    for (const c of clients) {
      expect(postIds(c)).toEqual(w.ids);
      expect(c.resets).toBe(0);
    }
  });

  it("PostgreSQL unreachable for 10 s from the streams' process: they pause, then get every event in order", async () => {
    const db = await createTestDatabase(adminUrl!);
    cleanups.push(db.drop);
    const target = new URL(db.url);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const a = await startServerProcess({ NIOTEBOOK_DB_URL: viaProxy.toString(), NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET });
    cleanups.push(() => { a.child.kill("SIGKILL"); return a.exited; });
    const b = await start(db.url);
    const author = await registerUser(b.url, "outagewriter");
    const reader = await registerUser(a.url, "outagereader");
    const clients = Array.from({ length: 4 }, () => new ResumingClient(() => [`${a.url}/api/v1/stream?timeline=global`], reader.tokens.access_token));
    while (clients.some((c) => c.lastId === undefined)) await new Promise((r) => setTimeout(r, 50));
    const w = writer(() => b.url, author.tokens.access_token, 100);
    await new Promise((r) => setTimeout(r, 1_000));
    await proxy.refuse();
    await new Promise((r) => setTimeout(r, 10_000));
    await proxy.forward();
    await new Promise((r) => setTimeout(r, 1_000));
    await w.stop();
    const deadline = Date.now() + 30_000;
    while (clients.some((c) => postIds(c).length < w.ids.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await Promise.all(clients.map((c) => c.stop()));
    expect(w.ids.length).toBeGreaterThan(80);
    for (const c of clients) {
      if (postIds(c).length !== w.ids.length) {
        const missing = w.ids.filter((id) => !postIds(c).includes(id));
        const dbc = new pg.Client({ connectionString: db.url });
        await dbc.connect();
        const ev = await dbc.query(`SELECT id, kind, post_id, created_at FROM events WHERE post_id = ANY($1::uuid[])`, [missing]);
        const ps = await dbc.query(`SELECT id, created_at FROM posts WHERE id = ANY($1::uuid[])`, [missing]);
        await dbc.end();
        console.log(JSON.stringify({ missing, ev: ev.rows, ps: ps.rows, out: a.output().slice(-3000) }, null, 1));
      }
      expect(postIds(c), `statuses ${c.statuses.join(",")}; ids ${c.events.map((e) => e.id).join(",")}`).toEqual(w.ids);
      expect(c.resets).toBe(0);
    }
  });
});
