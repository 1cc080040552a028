// The path a request is about, as the router sees it. find-my-way percent-decodes before it
// matches, so `/%61pi/v1/auth/login` is served by the login route: anything that classifies
// requests by path (rate-limit category, Cache-Control) must look at the same path, or an
// encoded letter walks around it.
import type { FastifyRequest } from "fastify";

export function requestPath(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  // "*" is the CORS plugin's catch-all OPTIONS route: it says nothing about the path.
  if (route !== undefined && route !== "*") return route;
  return decodedPath(request.url);
}

/**
 * The URL's path, percent-decoded as the router decodes it: `%2F` stays, so `/api/v1%2Ftimeline`
 * is no known path (404), as it is to the router.
 */
export function decodedPath(url: string): string {
  const raw = url.split("?", 1)[0]!;
  try {
    return decodeURI(raw);
  } catch {
    return raw;
  }
}
