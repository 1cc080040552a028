// Where the client keeps its files: $XDG_CONFIG_HOME/niotebook (default ~/.config/niotebook).
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== "" ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "niotebook");
}

/** Creates the folder on first use; private, since it holds tokens. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
