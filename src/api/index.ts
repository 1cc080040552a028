export * from "./errors.js";
export * from "./limits.js";
export * from "./rules.js";
export * from "./schemas.js";
export * from "./text.js";
export * from "./accounts-schemas.js";
export * from "./safety.js";
export * from "./notifications.js";
