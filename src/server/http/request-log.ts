// One JSON line per request, whatever answered it: a route (the onResponse hook), Fastify before
// routing (frameworkErrorHandler), or Node's HTTP parser (clientErrorHandler). Never a header,
// a body or a query string: tokens and passwords travel there, and cursors are noise.
import type { FastifyBaseLogger, FastifyInstance } from "fastify";

/** Long enough for any real path; a 16 KiB one is cut, not copied into the log. */
const MAX_LOGGED_PATH = 256;

export interface RequestLogLine {
  method: string;
  /** The route's template, "(unmatched)" when none served it. */
  route: string;
  /** What was asked for: the URL without its query string. */
  path: string;
  status: number;
  duration_ms: number;
  ip: string | undefined;
}

export function pathOf(url: string): string {
  const path = url.split("?", 1)[0] ?? "";
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}

export function logRequest(log: FastifyBaseLogger, line: RequestLogLine): void {
  log.info({ ...line, duration_ms: Math.round(line.duration_ms * 100) / 100 }, "request");
}

/** Logs every answered request once, when its response has been sent. */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook("onResponse", async (request, reply) => {
    logRequest(request.log, {
      method: request.method, route: request.routeOptions.url ?? "(unmatched)", path: pathOf(request.url),
      status: reply.statusCode, duration_ms: reply.elapsedTime, ip: request.ip,
    });
  });
}
