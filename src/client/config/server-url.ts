// Which server to talk to: --server, then NIOTEBOOK_SERVER, then config.yaml, then the default.
export const DEFAULT_SERVER_URL = "http://localhost:8080";

export function normalizeServerUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/** What a server URL must look like, wherever it comes from. */
export const isHttpUrl = (url: string): boolean => /^https?:\/\/[^\s]+$/.test(url.trim());

export interface ServerUrlSources {
  flag?: string | undefined;
  env?: string | undefined;
  config?: string | undefined;
}

/**
 * The server to use: the first of flag, env and config that is set, else the default — and,
 * when that one is not an http(s) URL, a problem naming where it came from.
 */
export function chooseServerUrl(opts: ServerUrlSources): { url: string; problem: string | null } {
  const sources: Array<[string, string | undefined]> = [["--server", opts.flag], ["NIOTEBOOK_SERVER", opts.env], ["server_url in config.yaml", opts.config]];
  const chosen = sources.find(([, value]) => value !== undefined && value.trim() !== "");
  if (!chosen) return { url: DEFAULT_SERVER_URL, problem: null };
  const [source, value] = chosen as [string, string];
  return { url: normalizeServerUrl(value), problem: isHttpUrl(value) ? null : `${source} expects an http(s) URL, got ${value}` };
}
