// The contract's numeric limits, in one place for server, client and database.
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 15;
export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const DISPLAY_NAME_MIN = 1;
export const DISPLAY_NAME_MAX = 50;
export const BIO_MAX = 160;
export const POST_MAX = 140;
export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 100;
export const BODY_LIMIT_BYTES = 4096;

export const RESERVED_USERNAMES: readonly string[] = [
  "admin", "root", "system", "niotebook", "api", "help", "support", "me", "about",
  "settings", "login", "register", "auth", "posts", "users", "timeline", "search", "explore",
];
