// The live stream's client (social.md "Live updates"): one SSE connection at a time, resumed
// with Last-Event-ID after any break, reconnected with exponential back-off and full jitter;
// an expired token is refreshed by the API client. It reports "paused" only after PAUSED_AFTER
// without a stream, so a quick reconnect goes unnoticed.
import type { ApiClient } from "../api-client.js";
import { ApiError } from "../api-errors.js";
import type { HttpResponse } from "../http-fetch.js";
import type { Notification, SocialPost } from "../social.js";
import { SseParser, type SseEvent } from "./sse.js";

export type LiveEvent =
  | { type: "ready" }
  | { type: "post"; post: SocialPost }
  | { type: "delete"; id: string; repostBy?: string }
  | { type: "notification"; notification: Notification }
  | { type: "reset" };

export interface LiveTiming {
  /** First reconnect delay (ms); doubled each failure up to maxDelay, full jitter. */
  baseDelay: number;
  maxDelay: number;
  /** Say "paused" after this long without a stream. */
  pausedAfter: number;
  /** A stream silent this long (no event, no ping: the server pings every 15 s) is dead. */
  silentAfter: number;
  random: () => number;
}

// At most 15 s apart, so a restarted server is found again soon; full jitter still spreads the herd.
export const LIVE_TIMING: LiveTiming = { baseDelay: 500, maxDelay: 15_000, pausedAfter: 10_000, silentAfter: 45_000, random: Math.random };

export interface LiveHandlers {
  event: (event: LiveEvent) => void;
  /** True once the stream has been away PAUSED_AFTER; false when it is back. */
  paused: (paused: boolean) => void;
  /** The session ended (refresh refused): the stream stops for good. */
  ended?: () => void;
}

export class LiveStream {
  private controller: AbortController | null = null;
  private stopped = false;
  private lastEventId: string | null = null;
  private failures = 0;
  private pausedTimer: ReturnType<typeof setTimeout> | null = null;
  private isPaused = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly timeline: "home" | "global",
    private readonly handlers: LiveHandlers,
    private readonly timing: LiveTiming = LIVE_TIMING,
    /** Where the previous stream (of the other timeline) stopped: ids are one sequence for the service. */
    resumeFrom: string | null = null,
  ) {
    this.lastEventId = resumeFrom;
  }

  start(): void {
    this.armPaused();
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    if (this.pausedTimer) clearTimeout(this.pausedTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** The id the next connection resumes from. */
  get resumeId(): string | null {
    return this.lastEventId;
  }

  private armPaused(): void {
    if (this.pausedTimer || this.isPaused) return;
    this.pausedTimer = setTimeout(() => {
      this.pausedTimer = null;
      if (this.stopped) return;
      this.isPaused = true;
      this.handlers.paused(true);
    }, this.timing.pausedAfter);
  }

  private connected(): void {
    if (this.pausedTimer) clearTimeout(this.pausedTimer);
    this.pausedTimer = null;
    if (this.isPaused) {
      this.isPaused = false;
      this.handlers.paused(false);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const controller = new AbortController();
      this.controller = controller;
      try {
        const response = await this.api.openStream(this.timeline, this.lastEventId, controller.signal);
        await this.read(response, controller);
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof ApiError && error.kind === "session_expired") {
          this.stop();
          this.handlers.ended?.();
          return;
        }
        // A server without the stream (v1): no live updates, and nothing to reconnect to.
        if (error instanceof ApiError && error.status === 404) {
          this.stop();
          return;
        }
        this.failures++;
      }
      if (this.stopped) return;
      this.armPaused();
      // Full jitter: anywhere up to the doubled delay, so clients cut off together spread out.
      const cap = Math.min(this.timing.maxDelay, this.timing.baseDelay * 2 ** Math.min(this.failures, 16));
      const delay = Math.floor(this.timing.random() * cap);
      await new Promise<void>((resolve) => (this.retryTimer = setTimeout(resolve, delay)));
    }
  }

  private async read(response: HttpResponse, controller: AbortController): Promise<void> {
    if (!response.body) return;
    const parser = new SseParser(this.lastEventId ?? "");
    let silence: ReturnType<typeof setTimeout> | null = null;
    const alive = (): void => {
      if (silence) clearTimeout(silence);
      silence = setTimeout(() => controller.abort(), this.timing.silentAfter);
    };
    parser.onComment = alive;
    alive();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.stopped) break;
        alive();
        for (const event of parser.push(decoder.decode(value, { stream: true }))) this.deliver(event);
      }
    } finally {
      if (silence) clearTimeout(silence);
      reader.releaseLock();
    }
  }

  private deliver(event: SseEvent): void {
    if (event.lastEventId !== "") this.lastEventId = event.lastEventId;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return; // not ours to guess at
    }
    const body = data as Record<string, unknown>;
    switch (event.type) {
      case "ready":
        // The stream is really open: a later break starts its back-off afresh.
        this.failures = 0;
        this.connected();
        this.handlers.event({ type: "ready" });
        return;
      case "post":
        this.handlers.event({ type: "post", post: body as unknown as SocialPost });
        return;
      case "delete":
        if (typeof body.id === "string") this.handlers.event({ type: "delete", id: body.id, ...(typeof body.repost_by === "string" ? { repostBy: body.repost_by } : {}) });
        return;
      case "notification":
        this.handlers.event({ type: "notification", notification: body as unknown as Notification });
        return;
      case "reset":
        this.handlers.event({ type: "reset" });
        return;
      default:
        return;
    }
  }
}
