// With NIOTEBOOK_REDIS_URL set, processes also wake each other through Redis pub/sub: after a
// write is answered (so after its transaction committed) the writer publishes, and every
// process's hub reads the events table. PostgreSQL's NOTIFY stays on beside it, and the hub's
// safety poll behind both: losing Redis delays nothing, it only removes one wake-up path.
import type { Redis } from "ioredis";
import type { App } from "../http/types.js";
import type { LiveHub } from "./hub.js";

export const REDIS_EVENTS_CHANNEL = "niotebook:events";

export function registerRedisWakeups(app: App, url: string, hub: LiveHub): void {
  let pending = false;
  const connections = import("ioredis").then(({ Redis }) => {
    const options = { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: false } as const;
    const publisher: Redis = new Redis(url, options);
    const subscriber: Redis = new Redis(url, { ...options, enableOfflineQueue: true });
    // Errors are reconnected by ioredis; NOTIFY and the poll carry on meanwhile.
    publisher.on("error", () => {});
    subscriber.on("error", () => {});
    subscriber.on("message", () => hub.wake());
    void subscriber.subscribe(REDIS_EVENTS_CHANNEL).catch(() => {});
    return { publisher, subscriber };
  });
  app.addHook("onResponse", async (request, reply) => {
    if (request.method === "GET" || request.method === "HEAD" || reply.statusCode >= 400 || pending) return;
    // One publish per turn of the event loop, however many writes were answered in it.
    pending = true;
    setImmediate(() => {
      pending = false;
      void connections.then(({ publisher }) => publisher.publish(REDIS_EVENTS_CHANNEL, "")).catch(() => {});
    });
  });
  app.addHook("onClose", async () => {
    const { publisher, subscriber } = await connections;
    publisher.disconnect();
    subscriber.disconnect();
  });
}
