// Where the client keeps its files: $XDG_CONFIG_HOME/niotebook (default ~/.config/niotebook).
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== "" ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "niotebook");
}

/** The server's data folder, resolved the way the server resolves it. */
export function serverDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NIOTEBOOK_DATA_DIR) return env.NIOTEBOOK_DATA_DIR;
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME !== "" ? env.XDG_DATA_HOME : join(homedir(), ".local", "share");
  return join(base, "niotebook");
}

/** Creates the folder on first use; private, since it holds tokens. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
