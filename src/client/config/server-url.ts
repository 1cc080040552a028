// Which server to talk to: --server, then NIOTEBOOK_SERVER, then config.yaml, then the default.
export const DEFAULT_SERVER_URL = "http://localhost:8080";

export function normalizeServerUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
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
