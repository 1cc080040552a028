// A Server-Sent Events reader over fetch's streaming body, as a client would read GET /stream.
export interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  ended = false;
  status = 0;
  private waiters: Array<() => void> = [];
  private controller = new AbortController();
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** Set to stop reading (the socket fills up, as with a client that hangs). */
  paused = false;

  /** Called with every event as it arrives. */
  onEvent: ((event: SseEvent) => void) | undefined;

  static async open(url: string, token: string, lastEventId?: string, onEvent?: (event: SseEvent) => void): Promise<SseClient> {
    const client = new SseClient();
    client.onEvent = onEvent;
    let res: Response;
    try {
      res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream", ...(lastEventId !== undefined ? { "last-event-id": lastEventId } : {}) },
      signal: client.controller.signal,
      });
    } catch {
      client.ended = true;
      return client;
    }
    client.status = res.status;
    if (res.status !== 200 || !res.body) {
      client.ended = true;
      client.body = await res.text();
      return client;
    }
    client.reader = res.body.getReader();
    void client.pump();
    return client;
  }

  body = "";

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        while (this.paused) await new Promise((r) => setTimeout(r, 20));
        const { done, value } = await this.reader!.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: "message", data: undefined };
          let isComment = true;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            isComment = false;
            const colon = line.indexOf(":");
            const field = line.slice(0, colon), value = line.slice(colon + 1).replace(/^ /, "");
            if (field === "id") event.id = value;
            else if (field === "event") event.event = value;
            else if (field === "data") event.data = JSON.parse(value);
          }
          if (isComment) this.comments++;
          else {
            this.events.push(event);
            this.onEvent?.(event);
          }
          this.notify();
        }
      }
    } catch {
      // aborted or reset
    }
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `predicate` holds (checked after every event), or rejects after `withinMs`. */
  async until(predicate: (c: SseClient) => boolean, withinMs = 2_000): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; events so far: ${JSON.stringify(this.events.map((e) => [e.id, e.event]))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  named(event: string): SseEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  get lastId(): string | undefined {
    return this.events[this.events.length - 1]?.id;
  }

  close(): void {
    this.controller.abort();
  }
}

/**
 * A client that reconnects whenever its stream ends, with the last id it saw as
 * Last-Event-ID, trying the given servers in turn: what a real client does.
 */
export class ResumingClient {
  readonly events: SseEvent[] = [];
  resets = 0;
  /** Streams opened (status 200), and every status answered, for a failing test's message. */
  connections = 0;
  statuses: number[] = [];
  private stopped = false;
  private current: SseClient | undefined;
  lastId: string | undefined;
  done: Promise<void>;

  constructor(urls: () => string[], token: string) {
    this.done = this.loop(urls, token);
  }

  private async loop(urls: () => string[], token: string): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const list = urls();
      const url = list[attempt % list.length]!;
      const client = await SseClient.open(url, token, this.lastId, (e) => {
        if (e.event === "reset") this.resets++;
        if (e.event !== "ready" && e.event !== "reset") this.events.push(e);
        this.lastId = e.id;
      });
      this.current = client;
      this.statuses.push(client.status);
      if (client.status === 200) this.connections++;
      if (client.status === 200) await client.until((c) => c.ended || this.stopped, 600_000).catch(() => {});
      client.close();
      if (!this.stopped) await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.close();
    await this.done;
  }
}
