// Every failure the API client can report, with a sentence fit for the status line.
export type ApiErrorKind = "network" | "timeout" | "http" | "session_expired";

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly details: { status?: number; code?: string; field?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get status(): number | undefined {
    return this.details.status;
  }
  get code(): string | undefined {
    return this.details.code;
  }
  get field(): string | undefined {
    return this.details.field;
  }
}

export const SESSION_EXPIRED_MESSAGE = "Session expired — please log in again";
export const PUBLISH_TIMEOUT_MESSAGE = "May not have posted — check the timeline";

export function unreachableMessage(baseUrl: string): string {
  return `Can't reach server at ${baseUrl}`;
}

/** Retry-After is whole seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export function rateLimitedMessage(seconds: number | undefined): string {
  return seconds === undefined ? "Rate limited — try again shortly" : `Rate limited — try again in ${seconds}s`;
}

/** Any thrown value as one readable line. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
