// NIOTEBOOK_WORKERS: several server processes on one port (node:cluster), for PostgreSQL.
// The primary migrates once, forks the workers, replaces one that dies, and on SIGTERM or
// SIGINT passes the signal on and exits 0 once every worker has finished its requests.
import cluster, { type Worker } from "node:cluster";
import type { Config } from "./config.js";
import { openRuntime } from "./runtime.js";

const log = (msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, msg, ...extra })}\n`);

export async function runPrimary(config: Config): Promise<void> {
  const runtime = await openRuntime(config); // migrations, once, before any worker starts
  await runtime.close();
  let stopping = false;
  const fork = (): Worker => cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log("all workers stopped");
        process.exit(0);
      }
      return;
    }
    log("worker died; starting another", { worker: worker.process.pid, code, signal });
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log("stopping workers", { signal });
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  for (let i = 0; i < config.workers; i++) fork();
  log(`started ${config.workers} workers`, { workers: config.workers });
}

export const isWorkerPrimary = (config: Config): boolean => config.workers > 1 && cluster.isPrimary;
