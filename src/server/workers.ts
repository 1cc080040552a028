// NIOTEBOOK_WORKERS: several server processes on one port (node:cluster), for PostgreSQL.
// The primary migrates once, forks the workers, replaces one that dies, and on SIGTERM or
// SIGINT passes the signal on and exits 0 once every worker has finished its requests.
import cluster, { type Worker } from "node:cluster";
import type { Config } from "./config.js";
import { listenClusterMetrics } from "./metrics/listener.js";
import { createLogger } from "./log.js";
import { openRuntime } from "./runtime.js";


export async function runPrimary(config: Config): Promise<void> {
  const logger = createLogger(config);
  const log = (msg: string, extra: Record<string, unknown> = {}) => logger.info(extra, msg);
  const runtime = await openRuntime(config); // migrations, once, before any worker starts
  await runtime.close();
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    return worker;
  };
  let quickDeaths = 0;
  cluster.on("exit", (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log("all workers stopped");
        process.exit(0);
      }
      return;
    }
    quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    const delayMs = restartDelayMs(quickDeaths);
    log("worker died; starting another", { worker: worker.process.pid, code, signal, delay_ms: delayMs });
    setTimeout(() => {
      if (!stopping) fork();
    }, delayMs);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log("stopping workers", { signal });
    const alive = Object.values(cluster.workers ?? {});
    // Every worker already dead, a replacement waiting out its back-off: nothing to wait for.
    if (alive.length === 0) process.exit(0);
    for (const worker of alive) worker?.process.kill(signal);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (config.metricsPort !== undefined) {
    // One scrape target for all workers: the primary sums what each worker reports.
    const metrics = await listenClusterMetrics(config.host, config.metricsPort);
    log(`metrics on ${metrics.url}`, { metrics: metrics.url });
  }
  for (let i = 0; i < config.workers; i++) fork();
  log(`started ${config.workers} workers`, { workers: config.workers });
}

export const isWorkerPrimary = (config: Config): boolean => config.workers > 1 && cluster.isPrimary;

/** A worker that dies sooner than this after starting counts towards the back-off. */
const QUICK_DEATH_MS = 10_000;

/**
 * How long to wait before replacing a worker: at once after one that ran a while; after ones
 * that keep dying at start (a database refusing connections, say), 0.25 s doubling to 10 s,
 * rather than a full Node start-up many times a second.
 */
export function restartDelayMs(quickDeaths: number): number {
  return quickDeaths === 0 ? 0 : Math.min(10_000, 250 * 2 ** (quickDeaths - 1));
}
