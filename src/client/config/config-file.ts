// config.yaml: only `server_url` matters, so a tiny line parser replaces a YAML library.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";

export interface ClientConfig {
  server_url?: string;
}

/** Reads `key: value` lines; quotes optional, `#` comments ignored. */
export function parseConfigYaml(text: string): ClientConfig {
  const config: ClientConfig = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2] ?? "";
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    if (match[1] === "server_url" && value !== "") config.server_url = value;
  }
  return config;
}

export function formatConfigYaml(config: ClientConfig): string {
  return config.server_url ? `server_url: ${config.server_url}\n` : "";
}

export function readConfig(dir: string): ClientConfig {
  const path = join(dir, "config.yaml");
  if (!existsSync(path)) return {};
  try {
    return parseConfigYaml(readFileSync(path, "utf8"));
  } catch {
    return {};
  }
}

export function writeConfig(dir: string, config: ClientConfig): void {
  writeFileAtomic(join(dir, "config.yaml"), formatConfigYaml(config), 0o600);
}
