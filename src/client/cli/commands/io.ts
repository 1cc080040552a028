// What a scriptable command needs of the outside world, so tests can run it in-process.
import { ApiError } from "../../api-errors.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** tui.md's exit codes. */
export const EXIT = { done: 0, failed: 1, usage: 2, loggedOut: 3 } as const;

/** The reason on stderr and the exit code for a failure of the API client. */
export function reportFailure(io: CliIo, error: unknown): number {
  if (error instanceof ApiError) {
    io.err(`${error.message}\n`);
    return error.kind === "session_expired" ? EXIT.loggedOut : EXIT.failed;
  }
  io.err(`${(error as Error).message}\n`);
  return EXIT.failed;
}
