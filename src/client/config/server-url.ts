// Which server to talk to: --server, then NIOTEBOOK_SERVER, then config.yaml, then the default.
export const DEFAULT_SERVER_URL = "http://localhost:8080";

export function normalizeServerUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/** What a server URL must look like, wherever it comes from. */
export const isHttpUrl = (url: string): boolean => /^https?:\/\/[^\s]+$/.test(url.trim());

/** The first of flag, env and config that is set, checked: an error naming where it came from, or null. */
export function serverUrlProblem(opts: { flag?: string | undefined; env?: string | undefined; config?: string | undefined }): string | null {
  const sources: Array<[string, string | undefined]> = [["--server", opts.flag], ["NIOTEBOOK_SERVER", opts.env], ["server_url in config.yaml", opts.config]];
  const chosen = sources.find(([, value]) => value !== undefined && value.trim() !== "");
  return chosen && !isHttpUrl(chosen[1]!) ? `${chosen[0]} expects an http(s) URL, got ${chosen[1]}` : null;
}

export function resolveServerUrl(opts: {
  flag?: string | undefined;
  env?: string | undefined;
  config?: string | undefined;
}): string {
  for (const candidate of [opts.flag, opts.env, opts.config]) {
    if (candidate && candidate.trim() !== "") return normalizeServerUrl(candidate);
  }
  return DEFAULT_SERVER_URL;
}
