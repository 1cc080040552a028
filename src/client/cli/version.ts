// The version printed by --version, read from package.json (three folders up from both
// src/client/cli and dist/client/cli).
import { readFileSync } from "node:fs";

export function clientVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}
