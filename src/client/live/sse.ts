// A Server-Sent Events parser following the WHATWG "event stream interpretation" rules:
// lines end in CRLF, LF or CR (a CR at a chunk's end may pair with the next chunk's LF); a
// leading BOM is dropped; `:` lines are comments; a field's value loses one leading space;
// `data` lines join with LF; `id` (without NUL) sets the last event id, which persists across
// events; an event with no data is not dispatched. Small enough to own, with its own tests.

export interface SseEvent {
  /** `message` when the stream named none. */
  type: string;
  data: string;
  /** The last event id as of this event (persists across events, as the spec says). */
  lastEventId: string;
}

export class SseParser {
  private buffer = "";
  private started = false;
  /** The previous chunk ended in CR: an LF opening the next one belongs to it. */
  private skipLf = false;
  private data: string[] = [];
  private hasData = false;
  private type = "";
  lastEventId = "";
  /** The server's `retry:` in ms, when it sent one. */
  retry: number | undefined;
  /** A comment line arrived (`: ping`): the stream is alive. */
  onComment: ((text: string) => void) | undefined;

  constructor(lastEventId = "") {
    this.lastEventId = lastEventId;
  }

  /** Feeds a decoded chunk; returns the events it completed, in order. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.skipLf && text.startsWith("\n")) text = text.slice(1);
    this.skipLf = false;
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the very end may be the first half of a CRLF split across chunks.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) {
        this.skipLf = true;
      }
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) {
      this.onComment?.(line.slice(1).replace(/^ /, ""));
      return null;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.type = value;
        break;
      case "data":
        this.data.push(value);
        this.hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    const hasData = this.hasData;
    const event: SseEvent = { type: this.type === "" ? "message" : this.type, data: this.data.join("\n"), lastEventId: this.lastEventId };
    this.data = [];
    this.hasData = false;
    this.type = "";
    return hasData ? event : null;
  }
}
