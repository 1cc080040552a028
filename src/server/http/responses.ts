import { Type } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import type { Post, PostPage } from "../../api/index.js";

const errorRef = Type.Ref("ErrorBody");

/** Every route answers its errors in the contract's envelope. */
export const errorResponses = { "4xx": errorRef, "5xx": errorRef } as const;

export const noContent = Type.Null({ description: "No content" });

/** Authenticated routes, for the OpenAPI document. */
export const bearer = [{ bearerAuth: [] }];

/**
 * Sends a page of posts already shaped as the route's 200 schema (PostPage: every object is
 * built field by field from the contract, so nothing extra can leak), serialised by V8's
 * JSON.stringify. On a 50-post page that allocates less than half what the compiled schema
 * serialiser does (43 vs 103 KB, 33 vs 41 µs); in the server, ~30% fewer young collections
 * under the deep- and user-page load, and allocation is what drives the collections behind
 * the latency tail. test/server/paging.test.ts checks every page against the schema.
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
