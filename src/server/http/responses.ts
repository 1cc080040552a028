import { Type, type TSchema } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import type { Post, PostPage } from "../../api/index.js";

const retryAfter = { "Retry-After": Type.Integer({ description: "whole seconds to wait before trying again" }) };

/** The contract's error statuses, each with its codes (and headers) for the OpenAPI document. */
const ERRORS = {
  400: { description: "validation_error (content_too_long for post content): the input breaks a rule; `field` names it" },
  401: { description: "unauthorized; token_expired when the access token has expired (refresh, then retry)" },
  403: { description: "forbidden: authenticated, but not yours" },
  404: { description: "not_found: no such resource (a malformed id included)" },
  409: { description: "conflict: username or e-mail already taken; `field` says which" },
  413: { description: "payload_too_large: a body over 4 KiB" },
  415: { description: "unsupported_media_type: a body whose Content-Type is not JSON" },
  429: { description: "rate_limited: too many requests from this client", headers: retryAfter },
  500: { description: "internal_error: a bug; nothing internal is in the message" },
  503: { description: "unavailable: the database cannot be reached (a write it stopped answering may still have been saved: the message says so)", headers: retryAfter },
} as const;
type ErrorStatus = keyof typeof ERRORS;

/**
 * A route's error responses, all in the contract's envelope: the statuses it names, those every
 * route can answer (429, 500, 503), and any other 4xx/5xx (405 with its Allow header, say).
 */
export function errorResponses(...statuses: ErrorStatus[]) {
  const responses: Record<string, TSchema> = {
    "4xx": Type.Ref("ErrorBody", { description: "any other client error (405 method_not_allowed names the methods in Allow)" }),
    "5xx": Type.Ref("ErrorBody", { description: "any other server error" }),
  };
  for (const status of [...statuses, 429, 500, 503] as ErrorStatus[]) responses[status] = Type.Ref("ErrorBody", ERRORS[status]);
  return responses;
}

export const noContent = Type.Null({ description: "No content" });

/** Authenticated routes, for the OpenAPI document. */
export const bearer = [{ bearerAuth: [] }];

/**
 * Sends a page of posts already shaped as the route's 200 schema (every object is built field
 * by field, so nothing extra can leak), by JSON.stringify: it allocates less than the compiled
 * serialiser, and allocation drives the latency tail (docs/design-notes.md).
 */
export function sendPostPage(reply: FastifyReply, page: PostPage): FastifyReply {
  return sendSerialised(reply, JSON.stringify(page));
}

/**
 * Sends one post (`{post}`), its keys in the contract's order. The compiled schema serialiser
 * writes required properties first, which would move the optional `author` after `created_at`;
 * `withAuthor` (posts/queries.ts) builds the object field by field, so nothing extra can leak.
 */
export function sendPost(reply: FastifyReply, post: Post): FastifyReply {
  return sendSerialised(reply, JSON.stringify({ post }));
}

/** Sends JSON that is already serialised (Fastify passes a string or Buffer through as is). */
export function sendSerialised(reply: FastifyReply, json: string | Buffer): FastifyReply {
  return reply.type("application/json; charset=utf-8").send(json);
}
