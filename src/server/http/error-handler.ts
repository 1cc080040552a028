// The one place where anything thrown becomes an HTTP answer in the contract's envelope.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseUnavailable, isOutOfStorage } from "../db/errors.js";
import { WriteOutcomeUnknown } from "../db/pg-dialect.js";
import { ApiError, notFound, validation } from "./errors.js";
import { logRequest, pathOf } from "./request-log.js";

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

function fromSchemaError(error: FastifyError): ApiError {
  const context = (error as { validationContext?: string }).validationContext;
  const first = error.validation?.[0] as AjvError | undefined;
  if (context === "params") return notFound();
  const field =
    (first?.params.missingProperty as string | undefined) ??
    (first?.params.additionalProperty as string | undefined) ??
    first?.instancePath.split("/")[1] ??
    undefined;
  if (!first || !field) return validation(undefined, context === "body" ? "Request body must be a JSON object" : "Invalid request");
  switch (first.keyword) {
    case "required": return validation(field, `${field} is required`);
    case "additionalProperties": return validation(field, `Unknown property "${field}"`);
    case "type": return validation(field, context === "querystring" ? `${field} must be given once` : `${field} must be a ${String(first.params.type)}`);
    default: return validation(field, `${field} is invalid`);
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError?.validation) return fromSchemaError(fastifyError);
  switch (fastifyError?.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError("payload_too_large", "Request body is larger than 4 KiB");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError("unsupported_media_type", "Request bodies must be JSON (Content-Type: application/json)");
    case "FST_ERR_BAD_URL":
    case "FST_ERR_MAX_PARAM_LENGTH":
      return notFound();
  }
  // Before the database checks: a client that hung up mid-body is an ECONNRESET too.
  if (typeof fastifyError?.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return validation(undefined, "Malformed request");
  }
  if (isOutOfStorage(error)) {
    return new ApiError("unavailable", "The server is out of storage space; try again later", undefined, { "Retry-After": "30" });
  }
  if (error instanceof WriteOutcomeUnknown) {
    return new ApiError("unavailable", "The database stopped answering during the write: it may have been saved — check before trying again", undefined, { "Retry-After": "5" });
  }
  if (isDatabaseUnavailable(error)) {
    return new ApiError("unavailable", "The database is unavailable; try again shortly", undefined, { "Retry-After": "5" });
  }
  return new ApiError("internal_error", "Something went wrong on our side");
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      // The error's own message may carry SQL or values: log it, never send it.
      const e = error as Error & { code?: string };
      request.log.error({ err: { type: e?.name, code: e?.code, message: e?.message, stack: e?.stack } }, "request failed");
    }
    return reply.code(apiError.status).headers(apiError.headers).send(apiError.body());
  });
}

/**
 * Errors Fastify raises before routing (a malformed URL, an over-long path parameter) skip
 * the hooks, so this answers them in the envelope with the headers every response carries,
 * and logs them as the hook would.
 */
export function frameworkErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(error);
  logRequest(request.log, {
    method: request.method, route: "(unmatched)", path: pathOf(request.url), status: apiError.status,
    duration_ms: reply.elapsedTime, ip: request.ip,
  });
  void reply.code(apiError.status)
    .headers({ ...apiError.headers, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" })
    .send(apiError.body());
}
