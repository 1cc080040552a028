import { Health } from "../api/index.js";
import type { AppContext } from "./context.js";
import type { App } from "./http/types.js";
import { VERSION } from "./version.js";

export function healthRoute(app: App, ctx: AppContext): void {
  app.get("/health", {
    schema: { tags: ["health"], summary: "Liveness and database reachability", response: { 200: Health, 503: Health } },
  }, async (_request, reply) => {
    // A connection of its own, so a busy pool cannot make the server look dead.
    // 1.5 s, so the whole answer stays within the contract's 2 s even on a busy loop.
    if (await ctx.database.ping(1_500)) return { status: "ok", version: VERSION };
    return reply.code(503).header("Retry-After", "5").send({ status: "error", message: "database connection failed" });
  });
}
