import { Health } from "../api/index.js";
import type { AppContext } from "./context.js";
import type { App } from "./http/types.js";
import { VERSION } from "./version.js";

/** How long one database check answers for every /health request. */
export const HEALTH_CHECK_REUSE_MS = 1_000;

/**
 * `check` run at most once at a time, its answer reused for `reuseMs` after it came: a flood of
 * /health requests would otherwise open a connection each, and fail for want of connections.
 */
export function sharedCheck(check: () => Promise<boolean>, reuseMs: number, now = Date.now): () => Promise<boolean> {
  let running: Promise<boolean> | null = null;
  let last: { ok: boolean; at: number } | null = null;
  return () => {
    if (last && now() - last.at < reuseMs) return Promise.resolve(last.ok);
    running ??= check().catch(() => false).then((ok) => {
      last = { ok, at: now() };
      running = null;
      return ok;
    });
    return running;
  };
}

export function healthRoute(app: App, ctx: AppContext): void {
  // A connection of its own, so a busy pool cannot make the server look dead.
  // 1.5 s, so the whole answer stays within the contract's 2 s even on a busy loop.
  const databaseReachable = sharedCheck(() => ctx.database.ping(1_500), HEALTH_CHECK_REUSE_MS);
  app.get("/health", {
    schema: { tags: ["health"], summary: "Liveness and database reachability", response: { 200: Health, 503: Health } },
  }, async (_request, reply) => {
    if (await databaseReachable()) return { status: "ok", version: VERSION };
    return reply.code(503).header("Retry-After", "5").send({ status: "error", message: "database connection failed" });
  });
}
