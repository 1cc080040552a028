// The contract's error codes and the status each one travels with.
export const ERROR_STATUS = {
  validation_error: 400,
  content_too_long: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  suspended: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
