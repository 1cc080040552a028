// The database ceiling (and the password-hash ceiling for login):
// `node bench/ceiling-db.ts <config.json>` prints one JSON result like bench/load.ts.
//
// query "first" | "deep" | "user": the server's own SQL for that page, run by `connections`
// concurrent clients through the same driver the server uses (pg.Pool with that many
// connections, or one PGlite instance on a copy of the embedded data folder), no HTTP.
// mode "paced" runs the same queries at a fixed rate instead (the server's fixed-rate runs
// are set against it); with `prepared` and the server's pool size it does what the server's
// dialect does, so its tail is a floor for the server's.
// query "hash": the server's own argon2id verifyPassword (from dist/) against a seeded
// user's stored hash, `connections` at a time — the bound on login throughput.
//
// Forked by bench/run.ts it stays alive for the whole run (one measurement per message), so its
// JavaScript — and PGlite's WebAssembly, which starts in a slow baseline tier — is as warm as the
// long-running server's. The first measurement of each kind runs a few seconds of unmeasured
// warm-up first. pg pools are opened and closed per measurement, so idle connections never pile up.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TIMELINE_SQL, USER_POSTS_SQL, TIMESTAMP_OIDS, WindowedLatencies, cpuTicks, pacedSlots, percentile } from "./lib.ts";
import type { DbScript } from "./social.ts";
import type { SocialScenario } from "./social-scenarios.ts";

type PasswordsModule = typeof import("../src/server/auth/passwords.js");

export interface DbCeilingConfig {
  db: "postgres" | "embedded";
  url?: string;
  dataDir?: string;
  query: "first" | "deep" | "user" | "hash" | SocialScenario;
  /**
   * The social queries: every statement the server runs for request k (captured from the
   * server's own query functions, bench/social.ts), run one after the other as the server does.
   */
  script?: DbScript;
  connections: number;
  /** "paced": queries due at a fixed `rate` per second, latency from when each was due */
  mode?: "closed" | "paced";
  rate?: number;
  /** paced mode: split the recorded span into this many equal windows (default 1) */
  windows?: number;
  /** PostgreSQL: send the query as a named prepared statement, as the server's dialect does */
  prepared?: boolean;
  durationS: number;
  warmupS: number;
  deep: { createdAt: string; id: string };
  userIds: string[];
  password?: string;
  passwordHash?: string;
}

const asText = (v: string) => v;
/** Which statements the server's dialect names (src/server/db/pg-dialect.ts PREPARABLE): as prepared, the rest unnamed. */
const SERVER_PREPARES = /^(select|with|insert|update|delete) /i;
type PGliteT = import("@electric-sql/pglite").PGlite;
const lite = new Map<string, PGliteT>();
const warmed = new Set<string>();

let backendPids: number[] = [];

async function measure(config: DbCeilingConfig) {
  backendPids = [];
  let runQuery: (k: number) => Promise<number>;
  let close: () => Promise<void>;
  const n = config.userIds.length;
  const params = (k: number): [string, unknown[]] => {
    switch (config.query) {
      case "first": return [TIMELINE_SQL(false), []];
      case "deep": return [TIMELINE_SQL(true), [config.deep.createdAt, config.deep.id]];
      default: return [USER_POSTS_SQL, [config.userIds[(k * 7 + 13) % n]]];
    }
  };

  // A social request: its statements in turn (each through the pool, as Kysely runs them).
  const scripted = (run: (text: string, values: unknown[], name: string) => Promise<number>) => async (k: number) => {
    const script = config.script!;
    let rows = 0;
    for (const [i, values] of script.requests[k % script.requests.length]!) rows = await run(script.texts[i]!, values, `ceiling_${config.query}_${i}`);
    return rows;
  };

  if (config.query === "hash") {
    const dist = new URL("../dist/server/auth/passwords.js", import.meta.url);
    const { verifyPassword } = (await import(dist.href)) as PasswordsModule;
    runQuery = async () => ((await verifyPassword(config.password!, config.passwordHash!)) ? 1 : 0);
    close = async () => {};
  } else if (config.db === "postgres") {
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({
      connectionString: config.url, max: config.connections,
      types: { getTypeParser: (oid: number, format?: string) => (TIMESTAMP_OIDS.includes(oid) ? asText : pg.types.getTypeParser(oid, format as "text")) },
    });
    // Open every connection before the clock starts, as a warmed-up server's pool would be.
    const clients = await Promise.all(Array.from({ length: config.connections }, () => pool.connect()));
    // PostgreSQL runs on this machine: its backends' CPU time is readable in /proc.
    backendPids = [];
    for (const c of clients) backendPids.push((await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
    // The server's pool is long-lived: its backends have their catalog caches built, trigger
    // functions compiled and statements prepared. Fresh backends pay all that on their first
    // statements (a script's measurements after the first, which has a 3-s warm-up, ran at a
    // quarter of the rate with a p99 as long as the window), so each connection runs two
    // requests of the script first — a write and its undo, so the data stays as it was.
    if (config.script) {
      const script = config.script;
      await Promise.all(clients.map(async (c, i) => {
        for (const k of [2 * i, 2 * i + 1]) {
          for (const [t, values] of script.requests[k % script.requests.length]!) {
            const text = script.texts[t]!;
            await c.query(config.prepared && SERVER_PREPARES.test(text) ? { name: `ceiling_${config.query}_${t}`, text, values } : { text, values });
          }
        }
      }));
    }
    for (const c of clients) c.release();
    runQuery = config.script
      ? scripted(async (text, values, name) => (await pool.query(config.prepared && SERVER_PREPARES.test(text) ? { name, text, values } : { text, values })).rows.length)
      : async (k) => {
        const [text, values] = params(k);
        return (await pool.query(config.prepared ? { name: `ceiling_${config.query}`, text, values } : { text, values })).rows.length;
      };
    close = () => pool.end();
  } else {
    let db = lite.get(config.dataDir!);
    if (!db) {
      const { PGlite } = await import("@electric-sql/pglite");
      db = await PGlite.create(join(config.dataDir!, "pgdata"), { parsers: Object.fromEntries(TIMESTAMP_OIDS.map((oid) => [oid, asText])) });
      lite.set(config.dataDir!, db);
    }
    const handle = db;
    runQuery = config.script
      ? scripted(async (text, values) => (await handle.query(text, values, { rowMode: "object" })).rows.length)
      : async (k) => {
        const [text, values] = params(k);
        return (await handle.query(text, values, { rowMode: "object" })).rows.length;
      };
    close = async () => {};
  }

  type OnDone = (t: number, now: number, got: number) => void;
  const closedLoop = async (seconds: number, onDone?: OnDone) => {
    const until = performance.now() + seconds * 1000;
    await Promise.all(Array.from({ length: config.connections }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          const got = await runQuery(counter++);
          onDone?.(t, performance.now(), got);
        } catch (error) {
          errors++;
          firstError ??= (error as Error).message;
        }
      }
    }));
  };
  // Open loop, paced as bench/load.ts paces HTTP: each query is due at its slot and starts as
  // soon as one of `connections` is free; its latency counts from the slot (no coordinated
  // omission).
  const pacedLoop = (seconds: number, onDone?: OnDone) => new Promise<void>((resolve) => {
    const interval = 1000 / config.rate!;
    const t0 = performance.now(), until = t0 + seconds * 1000;
    const due: number[] = [];
    let inFlight = 0, scheduled = false;
    const finished = () => scheduled && inFlight === 0 && due.length === 0;
    const pump = () => {
      while (due.length > 0 && inFlight < config.connections) {
        const t = due.shift()!;
        inFlight++;
        runQuery(counter++).then((got) => onDone?.(t, performance.now(), got), (error: Error) => {
          errors++;
          firstError ??= error.message;
        }).finally(() => {
          inFlight--;
          pump();
          if (finished()) resolve();
        });
      }
    };
    void pacedSlots(t0, interval, until, (t) => due.push(t), pump).then(() => {
      scheduled = true;
      if (finished()) resolve();
    });
  });
  const loop = config.mode === "paced" ? pacedLoop : closedLoop;
  let counter = 0, errors = 0;
  let firstError: string | undefined;
  const kind = `${config.db}:${config.query}`;
  if (!warmed.has(kind) && config.query !== "hash") {
    await closedLoop(3);
    warmed.add(kind);
    errors = 0;
  }

  const latencies: number[] = [];
  let ok = 0, rows = 0, total = 0;
  const cpuStart = process.cpuUsage();
  const backendTicksStart = cpuTicks(backendPids);
  const start = performance.now();
  const warmEnd = start + config.warmupS * 1000;
  const end = warmEnd + config.durationS * 1000;
  const windows = new WindowedLatencies(config.durationS * 1000, config.windows);
  await loop(config.warmupS + config.durationS, (_t, now, got) => {
    total++;
    // Count completions inside the window, as the load generator counts answers.
    if (now >= warmEnd && now <= end) {
      ok++;
      rows += got;
      latencies.push(now - _t);
      windows.push(now - warmEnd, now - _t);
    }
  });
  const cpu = process.cpuUsage(cpuStart);
  const backendTicks = cpuTicks(backendPids) - backendTicksStart;
  await close();
  latencies.sort((a, b) => a - b);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    query: config.query,
    connections: config.connections,
    windowS: config.durationS,
    rps: Math.round((ok / config.durationS) * 10) / 10,
    ok,
    total,
    /** this process's CPU (driver side) per query, warm-up included, µs */
    clientCpuUsPerQuery: total ? Math.round((cpu.user + cpu.system) / total) : null,
    /** PostgreSQL backends' CPU per query (10 ms ticks from /proc), µs; null on the embedded database */
    dbCpuUsPerQuery: total && backendPids.length ? Math.round((backendTicks * 10_000) / total) : null,
    errors,
    firstError,
    rowsPerQuery: ok ? r3(rows / ok) : 0,
    p50: r3(percentile(latencies, 50)),
    p90: r3(percentile(latencies, 90)),
    p99: r3(percentile(latencies, 99)),
    max: r3(latencies[latencies.length - 1] ?? NaN),
    /** paced mode: p99 of each window of the recorded span */
    ...(config.mode === "paced" ? { windowP99s: windows.p99s() } : {}),
  };
}

if (process.send) {
  process.on("message", (message: { config: DbCeilingConfig }) => {
    measure(message.config).then(
      (result) => process.send!({ result }),
      (error: Error) => process.send!({ error: error.stack ?? error.message }),
    );
  });
  process.send({ ready: true });
} else {
  const result = await measure(JSON.parse(readFileSync(process.argv[2]!, "utf8")) as DbCeilingConfig);
  for (const db of lite.values()) await db.close();
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
