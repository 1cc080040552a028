// The SSE parser against the WHATWG interpretation rules, including chunks cut anywhere.
import { describe, expect, it } from "vitest";
import { SseParser } from "../../src/client/live/sse.js";

const all = (chunks: string[]) => {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
};

describe("SseParser", () => {
  it("reads typed events with ids, multi-line data, comments and a BOM", () => {
    const comments: string[] = [];
    const parser = new SseParser();
    parser.onComment = (c) => comments.push(c);
    const events = parser.push("\uFEFFid: 1\nevent: ready\ndata: {}\n\n: ping\n\nid:2\nevent:post\ndata: a\ndata:  b\n\n");
    expect(events).toEqual([
      { type: "ready", data: "{}", lastEventId: "1" },
      { type: "post", data: "a\n b", lastEventId: "2" },
    ]);
    expect(comments).toEqual(["ping"]);
  });

  it("CRLF, CR and LF all end lines, even when a CRLF is split between chunks", () => {
    expect(all(["data: x\r", "\n\r", "\ndata: y\r\r"])).toEqual([
      { type: "message", data: "x", lastEventId: "" },
      { type: "message", data: "y", lastEventId: "" },
    ]);
  });

  it("gives the same events however the stream is cut", () => {
    const stream = "id: 7\nevent: delete\ndata: {\"id\":\"p\"}\n\nevent: reset\ndata: {}\n\n";
    const whole = all([stream]);
    for (let cut = 0; cut <= stream.length; cut++) expect(all([stream.slice(0, cut), stream.slice(cut)])).toEqual(whole);
    expect(whole.map((e) => [e.type, e.lastEventId])).toEqual([["delete", "7"], ["reset", "7"]]);
  });

  it("an event without data is not dispatched but its id is kept; an id with NUL is ignored", () => {
    const parser = new SseParser("0");
    expect(parser.push("id: 5\nevent: ready\n\n")).toEqual([]);
    expect(parser.lastEventId).toBe("5");
    parser.push("id: 6\0x\ndata: z\n\n");
    expect(parser.lastEventId).toBe("5");
    expect(parser.push("retry: 3000\nfield-without-colon\ndata\n\n")).toEqual([{ type: "message", data: "", lastEventId: "5" }]);
    expect(parser.retry).toBe(3000);
  });
});
