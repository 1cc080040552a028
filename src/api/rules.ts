// The contract's input rules. Each check returns a FieldError or null; the server runs them
// in the contract's order and the client runs the same ones as the user types.
import {
  BIO_MAX, DISPLAY_NAME_MAX, DISPLAY_NAME_MIN, EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN,
  POST_MAX, RESERVED_USERNAMES, USERNAME_MAX, USERNAME_MIN,
} from "./limits.js";
import {
  countChars, hasControlChars, hasControlCharsExceptTabNewline, isStorableString,
  normalizeNewlines, normalizePostContent,
} from "./text.js";

export interface FieldError {
  code: "validation_error" | "content_too_long";
  field: string;
  message: string;
}

const invalid = (field: string, message: string): FieldError => ({ code: "validation_error", field, message });

function storable(field: string, label: string, value: string): FieldError | null {
  return isStorableString(value) ? null : invalid(field, `${label} contains characters that are not allowed`);
}

export function checkUsername(value: string): FieldError | null {
  const bad = storable("username", "Username", value);
  if (bad) return bad;
  const n = countChars(value);
  if (n < USERNAME_MIN || n > USERNAME_MAX) {
    return invalid("username", `Username must be ${USERNAME_MIN}–${USERNAME_MAX} characters`);
  }
  if (!/^[A-Za-z0-9_]+$/.test(value)) {
    return invalid("username", "Username may only contain letters, digits and underscores");
  }
  if (value.startsWith("_") || value.endsWith("_")) {
    return invalid("username", "Username must start and end with a letter or digit");
  }
  if (value.includes("__")) return invalid("username", "Username cannot contain two underscores in a row");
  if (RESERVED_USERNAMES.includes(value.toLowerCase())) return invalid("username", "That username is reserved");
  return null;
}

// One @, a dot inside the domain, no white space: "plausible", not RFC 5322.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/u;

export function checkEmail(value: string): FieldError | null {
  const bad = storable("email", "E-mail", value);
  if (bad) return bad;
  // Stored lower-cased, and lower-casing can lengthen ("İ" becomes "i" + a combining dot).
  if (countChars(value) > EMAIL_MAX || countChars(value.toLowerCase()) > EMAIL_MAX) {
    return invalid("email", `E-mail must be at most ${EMAIL_MAX} characters`);
  }
  if (hasControlChars(value) || !EMAIL_SHAPE.test(value)) return invalid("email", "Enter a valid e-mail address");
  return null;
}

export function checkPassword(value: string): FieldError | null {
  const bad = storable("password", "Password", value);
  if (bad) return bad;
  const n = countChars(value);
  if (n < PASSWORD_MIN) return invalid("password", `Password must be at least ${PASSWORD_MIN} characters`);
  if (n > PASSWORD_MAX) return invalid("password", `Password must be at most ${PASSWORD_MAX} characters`);
  return null;
}

/** Display name as stored: trimmed as String#trim does (as posts are). */
export const normalizeDisplayName = (value: string): string => value.trim();

/** Checks the name as it will be stored (normalizeDisplayName): white space alone is empty. */
export function checkDisplayName(value: string): FieldError | null {
  const bad = storable("display_name", "Display name", value);
  if (bad) return bad;
  const name = normalizeDisplayName(value);
  const n = countChars(name);
  if (n < DISPLAY_NAME_MIN || n > DISPLAY_NAME_MAX) {
    return invalid("display_name", `Display name must be ${DISPLAY_NAME_MIN}–${DISPLAY_NAME_MAX} characters`);
  }
  if (hasControlChars(name)) return invalid("display_name", "Display name cannot contain control characters");
  return null;
}

/** Bio as stored: CR and CRLF become LF. */
export const normalizeBio = normalizeNewlines;

export function checkBio(raw: string): FieldError | null {
  const bad = storable("bio", "Bio", raw);
  if (bad) return bad;
  const value = normalizeBio(raw);
  if (countChars(value) > BIO_MAX) return invalid("bio", `Bio must be at most ${BIO_MAX} characters`);
  if (hasControlCharsExceptTabNewline(value)) {
    return invalid("bio", "Bio cannot contain control characters other than newline and tab");
  }
  return null;
}

/** Checks post content as the server will store it (see normalizePostContent). */
export function checkPostContent(raw: string): FieldError | null {
  const bad = storable("content", "Post", raw);
  if (bad) return bad;
  const value = normalizePostContent(raw);
  if (hasControlCharsExceptTabNewline(value)) {
    return invalid("content", "Post cannot contain control characters other than newline and tab");
  }
  const n = countChars(value);
  if (n === 0) return invalid("content", "Post cannot be empty");
  if (n > POST_MAX) {
    return { code: "content_too_long", field: "content", message: `Post is ${n} characters; the limit is ${POST_MAX}` };
  }
  return null;
}

/** Runs checks in order and returns the first failure. */
export function firstError(...checks: Array<() => FieldError | null>): FieldError | null {
  for (const check of checks) {
    const error = check();
    if (error) return error;
  }
  return null;
}
