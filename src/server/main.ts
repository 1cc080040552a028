// niotebook-server: serve (default), migrate, seed; --help and --version.
import { parseArgs } from "node:util";
import { runAdminCli } from "./admin/cli.js";
import { startAdminSocket } from "./admin/socket.js";
import { buildApp } from "./app.js";
import { BackupError, backupCommand, restoreCommand } from "./backup.js";
import { deleteExpiredRefreshTokens } from "./auth/queries.js";
import { ConfigError, ENV_HELP, loadConfig, type Config } from "./config.js";
import { createAppContext } from "./context.js";
import { DataDirInUseError, removeServerInfo, writeServerInfo } from "./db/data-dir.js";
import { exposeMetrics, type MetricsListener } from "./metrics/listener.js";
import { createLogger, fastifyLoggerOptions } from "./log.js";
import { openRuntime } from "./runtime.js";
import { seed } from "./seed.js";
import { VERSION } from "./version.js";
import { isWorkerPrimary, runPrimary } from "./workers.js";

const HELP = `niotebook-server ${VERSION} — the Niotebook API server

Usage:
  niotebook-server [serve]                 start the server
  niotebook-server migrate                 apply database migrations and exit
  niotebook-server seed [--users N] [--posts M] [--shared-timestamp K]
                       [--follows F] [--replies R] [--likes L] [--reposts P]
                                           fill the database with demo users and posts, and a
                                           social graph: F follows per user on average (default
                                           20; a few users followed by many), R% of posts replies
                                           (20), L likes per post on average (1), P reposts per
                                           100 posts (5); 0 turns one off
  niotebook-server admin <command>         moderation and invites (admin --help lists them)
  niotebook-server backup FILE             copy the embedded database to FILE (a .tar.gz),
                                           consistent while the server runs
  niotebook-server restore FILE            restore FILE into an empty data folder (server stopped)
  niotebook-server --help | --version

With no NIOTEBOOK_DB_URL the server runs on an embedded PostgreSQL in its data folder.
On PostgreSQL, back up with pg_dump and pg_restore (docs/operating.md, Backups).

Environment:
${ENV_HELP.map(([name, text]) => `  ${name.padEnd(30)} ${text}`).join("\n")}
`;

const SHUTDOWN_GRACE_MS = 30_000;
const PARENT_CHECK_MS = 1_000;

async function serve(config: Config): Promise<void> {
  const log = createLogger(config);
  const runtime = await openRuntime(config, (error) => log.error({ code: (error as NodeJS.ErrnoException).code }, "database pool error"));
  const ctx = createAppContext(config, runtime.database, runtime.jwtSecret);
  const app = await buildApp(ctx, { logger: fastifyLoggerOptions(config) });
  if (ctx.rateLimiter === null) app.log.warn("rate limits are off (NIOTEBOOK_RATE_LIMIT=off)");

  const cleanup = setInterval(() => {
    deleteExpiredRefreshTokens(ctx.db).catch((error: Error) => app.log.warn({ code: (error as NodeJS.ErrnoException).code }, "refresh token cleanup failed"));
  }, 3_600_000);
  cleanup.unref();

  let metrics: MetricsListener | null = null;
  // The embedded database has one process: `admin` reaches it through this socket.
  const adminSocket = runtime.lock ? await startAdminSocket(config.dataDir, ctx).catch((error: Error) => {
    app.log.warn({ err: { message: error.message } }, "admin socket unavailable: `niotebook-server admin` will not reach this server");
    return null;
  }) : null;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing requests in flight");
    const force = setTimeout(() => {
      app.log.error("requests still in flight after 30 s; closing anyway");
      app.server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    clearInterval(cleanup);
    try {
      await app.drainAndClose();
      await metrics?.close();
      await adminSocket?.close();
      if (runtime.lock) removeServerInfo(config.dataDir);
      await runtime.close();
      app.log.info("stopped");
      process.exit(0);
    } catch (error) {
      app.log.error({ err: { message: (error as Error).message } }, "unclean shutdown");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // Started for one client (niotebook local): when that client is gone, however it went
  // (a signal before it could stop us, kill -9), this process is re-parented; stop then.
  if (config.stopWithParent !== undefined) {
    const parent = config.stopWithParent;
    setInterval(() => {
      if (process.ppid !== parent) void stop("parent exited");
    }, PARENT_CHECK_MS).unref();
  }

  if (config.metricsPort !== undefined) {
    // Before the API, so a metrics port in use stops the start; in a worker this answers the
    // primary's scrapes instead of listening (metrics/listener.ts).
    metrics = await exposeMetrics(config.host, config.metricsPort, ctx.metrics.registry);
  }
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  const url = `http://${host}:${port}`;
  if (runtime.lock) writeServerInfo(config.dataDir, url);
  app.log.info({ url, database: runtime.database.kind, version: VERSION }, `niotebook-server listening on ${url}`);
  if (metrics) app.log.info({ metrics: metrics.url }, `metrics on ${metrics.url}`);
}

async function migrate(config: Config): Promise<void> {
  const runtime = await openRuntime(config);
  await runtime.close();
  const applied = runtime.migrationsApplied;
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "migrations are up to date");
}

async function main(argv: string[]): Promise<number> {
  // The admin commands have options of their own (admin/commands.ts).
  if (argv[0] === "admin") {
    const result = await runAdminCli(argv.slice(1), loadConfig());
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.code;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      users: { type: "string" },
      posts: { type: "string" },
      follows: { type: "string" },
      replies: { type: "string" },
      likes: { type: "string" },
      reposts: { type: "string" },
      "shared-timestamp": { type: "string" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    console.log(VERSION);
    return 0;
  }
  const command = positionals[0] ?? "serve";
  const config = loadConfig();
  switch (command) {
    case "serve":
      if (isWorkerPrimary(config)) await runPrimary(config);
      else await serve(config);
      return -1;
    case "migrate":
      await migrate(config);
      return 0;
    case "seed": {
      const count = (value: string | undefined, fallback: number, name: string) => {
        if (value === undefined) return fallback;
        if (!/^\d+$/.test(value)) throw new ConfigError(`--${name} must be a whole number`);
        return Number(value);
      };
      // A batch of 10,000 posts and its triggers took over the serving deadline (5 s) on a loaded 2-core machine.
      const runtime = await openRuntime(config, undefined, 300_000);
      try {
        const result = await seed(runtime.database.db, {
          users: count(values.users, 50, "users"), posts: count(values.posts, 1000, "posts"),
          sharedTimestamp: count(values["shared-timestamp"], 0, "shared-timestamp"),
          follows: count(values.follows, 20, "follows"), replies: Math.min(100, count(values.replies, 20, "replies")),
          likes: count(values.likes, 1, "likes"), reposts: count(values.reposts, 5, "reposts"),
        });
        console.log(`seeded ${result.users} users, ${result.posts} posts (${result.replies} replies), ${result.follows} follows, ` +
          `${result.likes} likes and ${result.reposts} reposts in ${result.ms} ms; log in as any of them, e.g. ${result.exampleEmail ?? "(no users)"}, password ${result.password} (e-mail: <username>@example.com)`);
      } finally {
        await runtime.close();
      }
      return 0;
    }
    case "backup":
    case "restore": {
      const file = positionals[1];
      if (file === undefined || positionals.length > 2) {
        process.stderr.write(`niotebook-server ${command} takes one FILE\n\n${HELP}`);
        return 2;
      }
      try {
        console.log(await (command === "backup" ? backupCommand(config, file) : restoreCommand(config, file)));
      } catch (error) {
        if (!(error instanceof BackupError)) throw error;
        console.error(`niotebook-server: ${error.message}`);
        return 1;
      }
      return 0;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof DataDirInUseError) {
      console.error(`niotebook-server: ${error.message}`);
      process.exit(1);
    }
    if (error instanceof ConfigError || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      console.error(`niotebook-server: ${(error as Error).message}`);
      process.exit(2);
    }
    console.error(`niotebook-server: could not start: ${(error as Error).message}`);
    process.exit(1);
  },
);
