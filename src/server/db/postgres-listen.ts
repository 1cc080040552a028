import pg from "pg";
import type { Listener } from "./handle.js";
import { withTimeout } from "./timeout.js";

/**
 * LISTEN on a connection of its own, reconnecting (1 s, then up to 10 s apart) when it drops.
 * A connection can also die silently (a partition: nothing arrives, not even an error, and a
 * notification sent meanwhile is lost), so it is pinged every 10 s and given up after 5 s
 * without an answer: deletions go unheard for at most ~15 s.
 */
export function listenPostgres(url: string, channel: string, listener: Listener): { stop(): Promise<void> } {
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let delayMs = 1_000;
  let stopped = false;
  const lost = (lostClient: pg.Client) => {
    if (client !== lostClient) return;
    client = null;
    clearInterval(heartbeat);
    listener.hearing(false);
    void lostClient.end().catch(() => {});
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    retry = setTimeout(() => void connect(), delayMs);
    retry.unref();
    delayMs = Math.min(delayMs * 2, 10_000);
  };
  const connect = async () => {
    const candidate = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    candidate.on("error", () => lost(candidate));
    candidate.on("end", () => lost(candidate));
    candidate.on("notification", (message) => {
      if (message.channel === channel) listener.notified(message.payload ?? "");
    });
    try {
      await candidate.connect();
      await withTimeout(candidate.query(`LISTEN ${pg.escapeIdentifier(channel)}`), 5_000);
    } catch {
      void candidate.end().catch(() => {});
      schedule();
      return;
    }
    if (stopped) return void candidate.end().catch(() => {});
    client = candidate;
    delayMs = 1_000;
    heartbeat = setInterval(() => {
      withTimeout(candidate.query("SELECT 1"), 5_000).catch(() => lost(candidate));
    }, 10_000);
    heartbeat.unref();
    listener.hearing(true);
  };
  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const last = client;
      client = null;
      // A connection that went silent would never finish ending: do not wait for it.
      if (last) await withTimeout(last.end(), 1_000).catch(() => {});
    },
  };
}
