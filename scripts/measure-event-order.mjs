// What handing out event ids in commit order costs (migration 0011: a deferred trigger takes
// one advisory lock, then nextval). Concurrent publishPost calls on PostgreSQL, three ways:
// the real schema; the event triggers without the lock; no event triggers at all.
// Run: npm run build && NIOTEBOOK_BENCH_DB_URL=postgres://postgres@127.0.0.1:5432/postgres node scripts/measure-event-order.mjs
import pg from "pg";
import { openPostgres } from "../dist/server/db/postgres.js";
import { migrateToLatest } from "../dist/server/db/migrations.js";
import { publishPost } from "../dist/server/social/publish.js";

const admin = process.env.NIOTEBOOK_BENCH_DB_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const POSTS = Number(process.env.POSTS ?? 3000);

async function run(variant) {
  const name = `niotebook_evbench_${process.pid}_${variant.replace("-", "_")}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const handle = openPostgres({ url: url.toString(), poolSize: CONCURRENCY });
  try {
    await migrateToLatest(handle.db);
    const raw = new pg.Client({ connectionString: url.toString() });
    await raw.connect();
    if (variant === "no-lock") {
      await raw.query(`CREATE OR REPLACE FUNCTION emit_event(k text, u uuid, p uuid, r uuid, o uuid, n bigint) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO events (id, kind, user_id, post_id, repost_id, other_id, notification_id)
          VALUES (nextval('events_id_seq'), k, u, p, r, o, n); PERFORM pg_notify('niotebook_events', ''); END $$`);
    }
    if (variant === "no-events") {
      await raw.query(`DROP TRIGGER zz_posts_events_posts_insert ON posts`);
    }
    const users = await raw.query(`INSERT INTO users (username, email, password_hash, display_name)
      SELECT 'bench' || g, 'bench' || g || '@example.com', 'x', 'bench' FROM generate_series(1, ${CONCURRENCY}) g RETURNING id`);
    await raw.end();
    const latencies = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(users.rows.map(async ({ id }) => {
      while (next++ < POSTS) {
        const t = performance.now();
        await publishPost(handle.db, { authorId: id, content: `post ${next} #bench` });
        latencies.push(performance.now() - t);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2);
    console.log(`${variant.padEnd(10)} ${CONCURRENCY} writers: ${(latencies.length / seconds).toFixed(0)} posts/s, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`);
  } finally {
    await handle.close();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  }
}

for (let round = 0; round < 2; round++) {
  for (const variant of ["no-events", "no-lock", "lock"]) await run(variant);
}
