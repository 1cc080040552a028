// The benchmark's options (bench/run.ts's flags, documented at its top) and the timings derived
// from them. The report (bench/report.ts) reads the same options back from a results file, so
// the derivations live here, once.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./lib.ts";

/** The social benchmark's population (issue 19): 10,000 users, of whom the load's readers follow 200 each. */
export const SOCIAL_USERS = 10_000;

/** The fixed rate: 70% of the measured maximum. */
export const TARGET_FRACTION = 0.7;
export const shareOf = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** The server's pool (src/server/db/postgres.ts): the query-alone runs at a fixed rate use as many connections. */
export const SERVER_POOL_SIZE = 10;

export interface BenchOptions {
  posts: number;
  users: number;
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
  /** clients of the database ceiling: as many as the load's connections unless --db-clients */
  dbClients: number;
  /** distinct loopback source addresses, one per connection */
  sources: number;
  dbs: Array<"postgres" | "embedded">;
  pgUrl: string;
  pgDatabase: string;
  serverNice: number;
  /** absent in results written before it was recorded: those runs were not --quick */
  quick?: boolean;
  /** shares of the maximum the fixed-rate runs are driven at (absent in older results) */
  fixedFractions?: number[];
  /** users seeded (the first `users` of them read and write in the load; absent in older results: = users) */
  seedUsers?: number;
  /** the social scenarios (issue 19) and their database ceilings run (absent in older results: no) */
  social?: boolean;
  /** only the social scenarios, the first page and its HTTP ceilings (no other scenarios, servers or fixed-rate runs) */
  socialOnly?: boolean;
}

export function parseOptions(args: string[]) {
  const { values: flags } = parseArgs({
    args,
    options: {
      db: { type: "string", default: "both" },
      posts: { type: "string" },
      users: { type: "string" },
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      quick: { type: "boolean", default: false },
      "db-first": { type: "boolean", default: false },
      "db-clients": { type: "string" },
      "no-build": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
      "pg-database": { type: "string", default: "niotebook_bench" },
      "fixed-fractions": { type: "string", default: String(TARGET_FRACTION) },
      "server-nice": { type: "string", default: "0" },
      "seed-users": { type: "string" },
      "no-social": { type: "boolean", default: false },
      "social-only": { type: "boolean", default: false },
      out: { type: "string", default: join(ROOT, "bench", "results") },
      help: { type: "boolean", short: "h" },
    },
  });
  const quick = flags.quick!;
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const opts: BenchOptions = {
    posts: num(flags.posts, quick ? 10_000 : 100_000),
    users: num(flags.users, 1_000),
    rounds: num(flags.rounds, quick ? 2 : 5),
    durationS: num(flags.duration, quick ? 1 : 2),
    warmupS: num(flags.warmup, quick ? 0.3 : 0.5),
    connections: num(flags.connections, 64),
    dbClients: num(flags["db-clients"], num(flags.connections, 64)),
    sources: num(flags.connections, 64),
    dbs: (flags.db === "both" ? ["postgres", "embedded"] : [flags.db]) as Array<"postgres" | "embedded">,
    pgUrl: flags["pg-url"]!,
    pgDatabase: flags["pg-database"]!,
    serverNice: Number(flags["server-nice"]),
    quick,
    fixedFractions: flags["fixed-fractions"]!.split(",").map(Number),
    social: !flags["no-social"],
    socialOnly: flags["social-only"]!,
  };
  opts.seedUsers = num(flags["seed-users"], opts.social ? Math.max(SOCIAL_USERS, opts.users) : opts.users);
  for (const [k, v] of Object.entries(opts)) if (k !== "serverNice" && typeof v === "number" && !(v > 0)) throw new Error(`--${k} must be a positive number`);
  if (!Number.isInteger(opts.serverNice) || opts.serverNice < -20 || opts.serverNice > 19) throw new Error("--server-nice must be an integer from -20 to 19");
  if (!opts.fixedFractions!.every((f) => f > 0 && f <= 1.5)) throw new Error("--fixed-fractions must be numbers in (0, 1.5], e.g. 0.5,0.7");
  if (opts.seedUsers! < opts.users) throw new Error("--seed-users must be at least --users");
  if (opts.socialOnly && !opts.social) throw new Error("--social-only and --no-social contradict each other");
  if (!opts.dbs.every((d) => d === "postgres" || d === "embedded")) throw new Error("--db must be postgres, embedded or both");
  return { flags, opts };
}

/** How long each kind of run lasts, from the options. */
export function timingsOf(opts: BenchOptions) {
  const quick = opts.quick ?? false;
  return {
    // Logins are argon2-bound (~25/s on 2 cores), so 64 connections wait seconds for their first
    // answers: a longer warm-up and window give the login scenario and its ceiling enough samples.
    loginWindow: { warmupS: Math.max(opts.warmupS, quick ? 1.5 : 2), durationS: Math.max(opts.durationS * 1.5, quick ? 2 : 3) },
    /**
     * Unrecorded seconds at the start of every fixed-rate run. The run follows a closed-loop
     * maximum, whose in-flight garbage the old generation collects in the first second or two
     * (measured: 2-4 full collections in the first 1.5 s, then none for the rest of a 7 s run); the target
     * is the tail at a steady rate, not that hand-over.
     */
    pacedWarmupS: Math.max(opts.warmupS, quick ? 1 : 3),
    /** Seconds of unrecorded load per scenario before round 1. */
    warmUpS: quick ? 0.5 : 1,
    /** A fixed-rate run is cut into windows as long as a closed-loop round; its p99 is their median. */
    windowsOf: (seconds: number) => Math.max(1, Math.round(seconds / opts.durationS)),
    /**
     * Login and its argon2 ceiling run in the first and the last round only: a round with them
     * takes 20-35 s longer (argon2-bound load, then its backlog to settle), their figures barely
     * move, and the whole benchmark must fit in 15 minutes also when the host is slow (a run in
     * odd rounds took 905 s on one).
     */
    loginRound: (r: number) => r === 1 || r === opts.rounds,
  };
}
