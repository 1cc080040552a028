// Builds the HTTP application in stages: external plugins, then the app's own cross-cutting
// pieces (body parsing, limits, headers, logging, errors), then the routes of each feature.
import cors, { type FastifyCorsOptions, type FastifyCorsOptionsDelegateCallback } from "@fastify/cors";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { LogController, type FastifyServerOptions } from "fastify";
import { createServer } from "node:http";
import { Server as NetServer } from "node:net";
import { sharedSchemas, BODY_LIMIT_BYTES } from "../api/index.js";
import { instancePlugin } from "./accounts/instance.js";
import { accountPlugin, sshAuthPlugin } from "./accounts/routes.js";
import { authPlugin } from "./auth/plugin.js";
import type { AppContext } from "./context.js";
import { backupPlugin } from "./backup.js";
import { registerBodyParser } from "./http/body-parser.js";
import { clientErrorHandler } from "./http/client-error.js";
import { frameworkErrorHandler, registerErrorHandler } from "./http/error-handler.js";
import { registerGracefulClose } from "./http/graceful-close.js";
import { registerMetrics } from "./http/metrics.js";
import { registerNotFound } from "./http/method-not-allowed.js";
import { registerRateLimit } from "./http/rate-limit-hook.js";
import { registerRequestLog } from "./http/request-log.js";
import { registerSecurityHeaders } from "./http/security-headers.js";
import type { App } from "./http/types.js";
import { LiveHub } from "./live/hub.js";
import { streamPlugin } from "./live/plugin.js";
import { registerRedisWakeups } from "./live/redis-wake.js";
import { notificationsPlugin } from "./notifications/plugin.js";
import { postsPlugin } from "./posts/plugin.js";
import { safetyPlugin } from "./safety/plugin.js";
import { searchPlugin } from "./search/plugin.js";
import { servicePlugin } from "./service-plugin.js";
import { tagsPlugin } from "./tags/plugin.js";
import { timelinePlugin } from "./timeline/plugin.js";
import { usersPlugin } from "./users/plugin.js";
import { VERSION } from "./version.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The process's live-update hub (GET /stream); metrics() gives open streams and delivery lag. */
    live: LiveHub;
  }
}

export interface BuildOptions {
  /** pino options, a logger instance, or false for none (tests). */
  logger?: FastifyServerOptions["logger"];
}

export async function buildApp(ctx: AppContext, options: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    // One log line per request, written by our onResponse hook, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false,
    // The contract's timeouts; Node checks them every second rather than every 30.
    keepAliveTimeout: 60_000,
    requestTimeout: 15_000,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    forceCloseConnections: false,
    return503OnClosing: false,
    serverFactory: (handler) => {
      const server = createServer(
        { headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 60_000, connectionsCheckingInterval: 1_000 },
        handler,
      );
      // node:http's close() also drops every keep-alive socket it thinks idle, including ones
      // whose next request is still in transit: those clients would see a reset. Stop
      // listening only; graceful-close.ts drains the open connections.
      server.close = ((callback?: (error?: Error) => void) => NetServer.prototype.close.call(server, callback)) as typeof server.close;
      return server;
    },
    ajv: {
      // Bodies are strict: no coercion, unknown properties refused rather than dropped.
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, useDefaults: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Stage 1: external plugins and shared schemas.
  for (const schema of sharedSchemas) app.addSchema(schema);
  if (ctx.config.corsOrigins.length > 0) {
    const corsOptions: FastifyCorsOptions = {
      origin: ctx.config.corsOrigins,
      methods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
      allowedHeaders: ["Authorization", "Content-Type"],
    };
    // An OPTIONS request that is not a preflight (no Origin or no requested method) is an
    // ordinary request for a method no route serves: 405 or 404 in the envelope, not the
    // plugin's plain-text 400.
    const delegator: FastifyCorsOptionsDelegateCallback = (request, callback) => {
      const preflight = request.headers.origin !== undefined && request.headers["access-control-request-method"] !== undefined;
      callback(null, request.method === "OPTIONS" && !preflight ? { origin: false } : corsOptions);
    };
    await app.register(cors, { delegator });
  }
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Niotebook API", version: VERSION, description: "The Niotebook HTTP API, version 1" },
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  // Stage 2: the app's cross-cutting pieces.
  app.decorateRequest("caller", null);
  registerBodyParser(app);
  registerErrorHandler(app);
  registerNotFound(app);
  registerGracefulClose(app);
  registerRateLimit(app, ctx);
  registerSecurityHeaders(app);
  registerRequestLog(app);
  registerMetrics(app, ctx);

  // Stage 3: the routes, one plugin per feature; each authenticated feature is one scope.
  await app.register(servicePlugin, { ctx });
  await app.register(authPlugin, { ctx, prefix: "/api/v1/auth" });
  await app.register(postsPlugin, { ctx, prefix: "/api/v1/posts" });
  await app.register(timelinePlugin, { ctx, prefix: "/api/v1/timeline" });
  await app.register(usersPlugin, { ctx, prefix: "/api/v1/users" });
  await app.register(accountPlugin, { ctx, prefix: "/api/v1/users" });
  await app.register(sshAuthPlugin, { ctx, prefix: "/api/v1/auth" });
  await app.register(instancePlugin, { ctx, prefix: "/api/v1" });
  await app.register(tagsPlugin, { ctx, prefix: "/api/v1/tags" });
  // Embedded database only: `niotebook-server backup` asks the running server (backup.ts).
  await app.register(backupPlugin, { ctx });
  await app.register(safetyPlugin, { ctx, prefix: "/api/v1" });
  await app.register(searchPlugin, { ctx, prefix: "/api/v1/search" });
  await app.register(notificationsPlugin, { ctx, prefix: "/api/v1/notifications" });
  // One hub per process for every stream; app.live.metrics() is for the metrics registry.
  const live = new LiveHub(ctx.database, {
    pingMs: ctx.config.streamPingMs,
    log: (msg, error) => app.log.warn({ err: { message: (error as Error | undefined)?.message } }, msg),
    streamOpened: () => ctx.metrics.streamOpened(),
    delivered: (seconds) => ctx.metrics.observeDeliveryLag(seconds),
  });
  app.decorate("live", live);
  app.onDrain(() => live.endAll());
  app.addHook("onClose", () => live.stop());
  if (ctx.config.redisUrl) registerRedisWakeups(app, ctx.config.redisUrl, live);
  await app.register(streamPlugin(live), { ctx, prefix: "/api/v1/stream" });

  await app.ready();
  return app;
}
