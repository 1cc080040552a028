// Request bodies: JSON with `application/json` (parameters allowed) or with no Content-Type
// at all; any other type is 415, and so is any Content-Encoding but identity (a gzip body is
// never unpacked nor read as JSON). Bytes must be valid UTF-8 and the text valid JSON.
import type { FastifyInstance } from "fastify";
import { ApiError, validation } from "./errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  return contentType.split(";")[0]!.trim().toLowerCase() === "application/json";
}

/** No encoding, or only `identity` (the header may list several, comma-separated). */
function isIdentity(contentEncoding: string | undefined): boolean {
  if (contentEncoding === undefined) return true;
  return contentEncoding.split(",").every((coding) => ["", "identity"].includes(coding.trim().toLowerCase()));
}

export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw validation(undefined, "Request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw validation(undefined, "Request body is not valid JSON");
  }
}

export function registerBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    if (!isJson(request.headers["content-type"])) {
      done(new ApiError("unsupported_media_type", "Request bodies must be JSON (Content-Type: application/json)"), undefined);
      return;
    }
    if (!isIdentity(request.headers["content-encoding"])) {
      done(new ApiError("unsupported_media_type", "Request bodies must not be compressed (Content-Encoding: identity or none)"), undefined);
      return;
    }
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
