// Database errors that are not bugs: the database unreachable, or out of storage (see http/error-handler.ts).
/** Errors that mean "the database cannot be reached", answered 503 rather than 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"].includes(code)) {
    return true;
  }
  // PostgreSQL: connection exceptions, shutting down, too many connections, the database
  // dropped, renamed away or refusing logins, and a read-only database (a standby, or one
  // mid fail-over) asked to write: none of them is a bug, all of them may pass.
  if (code && (code.startsWith("08") || code.startsWith("28") ||
      ["57P01", "57P02", "57P03", "57P04", "53300", "3D000", "25006"].includes(code))) {
    return true;
  }
  // "database ... is not currently accepting connections" (55000 also names unrelated states).
  if (code === "55000" && /accepting connections/i.test(error.message)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connection timeout|Client has encountered a connection error|not queryable|PGlite is closed|driver has already been destroyed|^timeout expired$/i.test(
    error.message,
  );
}

/** The database could not write for lack of disk space (PostgreSQL's disk_full, ENOSPC). */
export function isOutOfStorage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code === "53100" || code === "ENOSPC" || /No space left on device|could not extend file/i.test(error.message);
}
