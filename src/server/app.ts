// Builds the HTTP application in stages: external plugins, then the app's own cross-cutting
// pieces (body parsing, limits, headers, logging, errors), then the routes of each feature.
import cors, { type FastifyCorsOptions, type FastifyCorsOptionsDelegateCallback } from "@fastify/cors";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { LogController, type FastifyServerOptions } from "fastify";
import { createServer } from "node:http";
import { Server as NetServer } from "node:net";
import { sharedSchemas, BODY_LIMIT_BYTES } from "../api/index.js";
import { loginRoute } from "./auth/login.js";
import { logoutRoute } from "./auth/logout.js";
import { refreshRoute } from "./auth/refresh.js";
import { registerRoute } from "./auth/register.js";
import type { AppContext } from "./context.js";
import { healthRoute } from "./health.js";
import { registerBodyParser } from "./http/body-parser.js";
import { clientErrorHandler } from "./http/client-error.js";
import { logRequest, pathOf } from "./http/request-log.js";
import { frameworkErrorHandler, registerErrorHandler } from "./http/error-handler.js";
import { ApiError } from "./http/errors.js";
import { registerGracefulClose } from "./http/graceful-close.js";
import { registerNotFound } from "./http/method-not-allowed.js";
import { clientKey, limitCategory } from "./http/rate-limit.js";
import { requestPath } from "./http/request-path.js";
import type { App } from "./http/types.js";
import { openApiRoute } from "./openapi.js";
import { createPostRoute } from "./posts/create.js";
import { deletePostRoute } from "./posts/delete.js";
import { getPostRoute } from "./posts/get.js";
import { timelineRoute } from "./timeline/get.js";
import { getUserRoute } from "./users/get.js";
import { userPostsRoute } from "./users/posts.js";
import { updateProfileRoute } from "./users/update.js";
import { VERSION } from "./version.js";

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
  app.addHook("onRequest", async (request, reply) => {
    const limiter = ctx.rateLimiter;
    if (!limiter) return;
    const category = limitCategory(request.method, requestPath(request));
    if (!category) return;
    const result = await limiter.take(clientKey(request.ip), category);
    if (!result.ok) {
      const wait = String(result.retryAfterSeconds);
      throw new ApiError("rate_limited", `Too many requests; try again in ${wait}s`, undefined, { "Retry-After": wait });
    }
    void reply;
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("X-Content-Type-Options", "nosniff");
    const path = requestPath(request);
    if (path.startsWith("/api/v1/") && path !== "/api/v1/openapi.json") {
      reply.header("Cache-Control", "no-store");
    }
  });
  app.addHook("onResponse", async (request, reply) => {
    logRequest(request.log, {
      method: request.method, route: request.routeOptions.url ?? "(unmatched)", path: pathOf(request.url),
      status: reply.statusCode, duration_ms: reply.elapsedTime, ip: request.ip,
    });
  });

  app.addHook("onClose", async () => ctx.rateLimiter?.close?.());

  // Stage 3: routes, by feature.
  healthRoute(app, ctx);
  openApiRoute(app);
  registerRoute(app, ctx);
  loginRoute(app, ctx);
  refreshRoute(app, ctx);
  logoutRoute(app, ctx);
  createPostRoute(app, ctx);
  getPostRoute(app, ctx);
  deletePostRoute(app, ctx);
  timelineRoute(app, ctx);
  getUserRoute(app, ctx);
  userPostsRoute(app, ctx);
  updateProfileRoute(app, ctx);

  await app.ready();
  return app;
}
