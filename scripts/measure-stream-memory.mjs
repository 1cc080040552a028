// Server RSS per open stream: one server process on PostgreSQL, N global streams held by a
// client in this process (users inserted by SQL, tokens signed with the server's secret).
// Run: npm run build && node scripts/measure-stream-memory.mjs [streams]
import { readFileSync } from "node:fs";
import http from "node:http";
import pg from "pg";
import { AccessTokens } from "../dist/server/auth/tokens.js";
import { createTestDatabase, startServerProcess, TEST_JWT_SECRET } from "../test/support/server-process.ts";

const N = Number(process.argv[2] ?? 1000);
const admin = process.env.NIOTEBOOK_TEST_DB_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;
const db = await createTestDatabase(admin);
const server = await startServerProcess({ NIOTEBOOK_DB_URL: db.url, NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET });
try {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const users = (await c.query(`INSERT INTO users (username, email, password_hash, display_name)
    SELECT 'mem' || g, 'mem' || g || '@example.com', 'x', 'mem' FROM generate_series(1, ${Math.ceil(N / 8)}) g RETURNING id, username`)).rows;
  const tokens = new AccessTokens(TEST_JWT_SECRET, 3_600_000);
  const signed = await Promise.all(users.map((u) => tokens.issue(u.id, u.username)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const open = (token) => new Promise((resolve, reject) => {
    const req = http.get(`${server.url}/api/v1/stream?timeline=global`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.once("data", () => resolve(res));
      res.on("error", () => {});
    });
    req.on("error", reject);
  });
  // Warm up (the hub, the pool, JIT), then measure.
  const warm = await open(signed[0].token);
  warm.destroy();
  await new Promise((r) => setTimeout(r, 1000));
  global.gc?.();
  const before = rss(server.child.pid);
  const streams = [];
  for (let i = 0; i < N; i++) streams.push(await open(signed[Math.floor(i / 8)].token));
  await new Promise((r) => setTimeout(r, 2000));
  const after = rss(server.child.pid);
  console.log(`${N} streams: server RSS ${(before / 2 ** 20).toFixed(1)} MB -> ${(after / 2 ** 20).toFixed(1)} MB, ${((after - before) / N / 1024).toFixed(1)} KB per stream`);
  for (const s of streams) s.destroy();
  await c.end();
} finally {
  server.child.kill("SIGKILL");
  await server.exited;
  await db.drop();
}
