// Test data shaped exactly like the contract's objects.
import { randomUUID } from "node:crypto";
import type { Post, Tokens, User } from "../../../src/api/index.js";

export function makeUser(username: string, extra: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    username,
    display_name: username,
    bio: "",
    created_at: "2026-02-10T12:00:00.000000Z",
    ...extra,
  };
}

export function makePost(author: User, content: string, createdAt: Date, withAuthor = true): Post {
  return {
    id: randomUUID(),
    author_id: author.id,
    ...(withAuthor ? { author } : {}),
    content,
    created_at: createdAt.toISOString().replace("Z", "000Z"),
  };
}

/** A JWT-shaped access token carrying sub and username (the client reads, never verifies). */
export function makeTokens(user: User, opts: { expiresInMs?: number; tag?: string } = {}): Tokens {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const exp = Date.now() + (opts.expiresInMs ?? 24 * 3600_000);
  const access = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub: user.id, username: user.username, exp: Math.floor(exp / 1000), tag: opts.tag ?? randomUUID() })}.sig`;
  return { access_token: access, refresh_token: `refresh-${randomUUID()}`, expires_at: new Date(exp).toISOString() };
}
