// The SSH log-in challenge text (social.md, "SSH keys"):
//   niotebook-login <origin> <random, at least 128 bits, base64url>
// The server makes it; the client checks that the origin is the server it talks to before
// signing, so a hostile server cannot relay another server's challenge for the user to sign.

export const CHALLENGE_PREFIX = "niotebook-login";
/** 128 bits in unpadded base64url are 22 characters. */
export const MIN_NONCE_CHARS = 22;
const NONCE = /^[A-Za-z0-9_-]+$/;

export interface ParsedChallenge {
  origin: string;
  nonce: string;
}

/**
 * `scheme://host[:port]` for a URL or origin, as the WHATWG URL parser normalises it
 * (lower-case host, default port dropped), so both sides compare equal forms. Only http
 * and https; null for anything else or unparsable.
 */
export function canonicalOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return parsed.origin;
}

/** The challenge text for an origin and a base64url nonce; throws on a bad part. */
export function formatChallenge(origin: string, nonce: string): string {
  const canonical = canonicalOrigin(origin);
  if (canonical === null || canonical !== origin) throw new Error(`not a canonical origin: ${origin}`);
  if (!NONCE.test(nonce) || nonce.length < MIN_NONCE_CHARS) throw new Error("nonce must be base64url with at least 128 bits");
  return `${CHALLENGE_PREFIX} ${origin} ${nonce}`;
}

/** The parts of a challenge, or null if the text is not exactly a well-formed challenge. */
export function parseChallenge(text: string): ParsedChallenge | null {
  const parts = text.split(" ");
  if (parts.length !== 3) return null;
  const [prefix, origin, nonce] = parts as [string, string, string];
  if (prefix !== CHALLENGE_PREFIX) return null;
  if (canonicalOrigin(origin) !== origin) return null;
  if (!NONCE.test(nonce) || nonce.length < MIN_NONCE_CHARS) return null;
  return { origin, nonce };
}

/** True when the challenge is well formed and names the server at `serverUrl` (any path). */
export function challengeIsForServer(text: string, serverUrl: string): boolean {
  const parsed = parseChallenge(text);
  const expected = canonicalOrigin(serverUrl);
  return parsed !== null && expected !== null && parsed.origin === expected;
}
