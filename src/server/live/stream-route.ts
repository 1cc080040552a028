import { STREAM_TIMELINES, StreamQuery, type StreamTimeline } from "../../api/index.js";
import { ApiError, validation } from "../http/errors.js";
import { errorResponses } from "../http/responses.js";
import type { App } from "../http/types.js";
import { MAX_STREAMS_PER_USER, type LiveHub } from "./hub.js";

/** The access token's exp in ms (authenticate has already verified the token). */
function tokenExpiresAtMs(authorization: string | undefined): number {
  const payload = authorization?.split(" ").pop()?.split(".")[1];
  const exp = payload ? (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp : undefined;
  return typeof exp === "number" ? exp * 1000 : Date.now();
}

export function streamRoute(app: App, hub: LiveHub): void {
  app.get("", {
    schema: {
      tags: ["stream"], summary: "Live updates as Server-Sent Events (ext)",
      querystring: StreamQuery,
      response: { 200: { description: "text/event-stream: ready, post, delete, notification, reset" }, ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const timeline = (request.query.timeline ?? "home") as StreamTimeline;
    if (!STREAM_TIMELINES.includes(timeline)) throw validation("timeline", "timeline must be home or global");
    if (hub.draining) throw new ApiError("unavailable", "This server is shutting down; reconnect", undefined, { "Retry-After": "1" });
    const userId = request.caller!.userId;
    // Also with rate limits off: this bounds the memory one user can hold here.
    if (!hub.reserve(userId)) {
      throw new ApiError("rate_limited", `At most ${MAX_STREAMS_PER_USER} streams per user; close one first`, undefined, { "Retry-After": "5" });
    }
    const lastEventId = request.headers["last-event-id"];
    const res = reply.raw;
    await hub.open(res, userId, timeline, typeof lastEventId === "string" ? lastEventId.trim() : undefined,
      tokenExpiresAtMs(request.headers.authorization), () => {
        reply.hijack();
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
          "x-accel-buffering": "no",
        });
        res.socket?.setNoDelay(true);
      });
  });
}
