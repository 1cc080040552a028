// Domain errors carry the contract's code; this is the one place they become HTTP answers.
import { ERROR_STATUS, type ErrorCode, type ErrorBody } from "../../api/index.js";

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export const notFound = (what = "Not found") => new ApiError("not_found", what);
export const unauthorized = (message = "Authentication required") => new ApiError("unauthorized", message);
export const forbidden = (message: string) => new ApiError("forbidden", message);
/** The account is suspended by an operator (social.md, "Accounts"). */
export const suspended = () => new ApiError("suspended", "This account is suspended");
export const validation = (field: string | undefined, message: string) => new ApiError("validation_error", message, field);
