// The live stream's client against the fake API's SSE endpoint: events, resume with
// Last-Event-ID after a cut (nothing missed, nothing twice), token refresh, "paused" timing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiClient } from "../../src/client/api-client.js";
import { SessionStore } from "../../src/client/config/session-store.js";
import { LiveStream, type LiveEvent, type LiveTiming } from "../../src/client/live/live-stream.js";
import { startFakeApi, type FakeApi } from "./helpers/fake-api.js";
import { makePost } from "./helpers/fixtures.js";
import { apiError } from "./helpers/stub-server.js";

let fake: FakeApi;
let dir: string;
let live: LiveStream | null = null;
beforeEach(async () => {
  fake = await startFakeApi({ social: true });
  dir = mkdtempSync(join(tmpdir(), "niotebook-live-"));
});
afterEach(async () => {
  live?.stop();
  live = null;
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const FAST: LiveTiming = { baseDelay: 20, maxDelay: 100, pausedAfter: 300, silentAfter: 5_000, random: () => 1 };

function connect(timing: LiveTiming = FAST) {
  const store = new SessionStore(dir, fake.url);
  store.save(fake.tokens);
  const api = new ApiClient({ baseUrl: fake.url, session: store });
  const events: LiveEvent[] = [];
  const paused: boolean[] = [];
  /** When each `paused` call came, in ms after start. */
  const pausedAt: number[] = [];
  const started = Date.now();
  live = new LiveStream(api, "global", { event: (e) => events.push(e), paused: (p) => (paused.push(p), pausedAt.push(Date.now() - started)) }, timing);
  live.start();
  return { events, paused, pausedAt };
}
const until = async (check: () => boolean, ms = 3_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};
const streamRequests = () => fake.stub.requests.filter((r) => r.path === "/api/v1/stream");

describe("LiveStream", () => {
  it("delivers ready, post, delete, notification and reset", async () => {
    const { events } = connect();
    await until(() => events.length === 1);
    const post = makePost(fake.users[1]!, "hello", new Date());
    fake.emit("post", post, "global");
    fake.emit("post", makePost(fake.users[1]!, "home only", new Date()), "home");
    fake.emit("delete", { id: post.id });
    fake.emit("notification", { id: "n1", type: "follow", actor: fake.users[1], created_at: post.created_at, read: false });
    fake.emit("reset", {});
    await until(() => events.length === 5);
    expect(events.map((e) => e.type)).toEqual(["ready", "post", "delete", "notification", "reset"]);
    expect(events[1]).toMatchObject({ post: { content: "hello" } });
    expect(events[2]).toEqual({ type: "delete", id: post.id });
  });

  it("after a cut reconnects with Last-Event-ID and gets what it missed, once", async () => {
    const { events } = connect();
    await until(() => fake.streams.length === 1);
    fake.emit("post", makePost(fake.users[1]!, "one", new Date()), "global");
    await until(() => events.length === 2);
    fake.dropStreams();
    fake.emit("post", makePost(fake.users[1]!, "two (while away)", new Date()), "global");
    await until(() => events.filter((e) => e.type === "post").length === 2);
    expect(streamRequests()[1]!.headers["last-event-id"]).toBe(fake.events[0]!.id);
    fake.emit("post", makePost(fake.users[1]!, "three", new Date()), "global");
    await until(() => events.filter((e) => e.type === "post").length === 3);
    const contents = events.flatMap((e) => (e.type === "post" ? [e.post.content] : []));
    expect(contents).toEqual(["one", "two (while away)", "three"]);
  });

  it("refreshes an expired token and reconnects", async () => {
    let refused = false;
    fake.stub.on("GET", "/api/v1/stream", () => {
      if (refused) return { stream: (res) => res.write("id: e9\nevent: ready\ndata: {}\n\n") };
      refused = true;
      return apiError(401, "token_expired", "Access token expired");
    });
    const { events } = connect();
    await until(() => events.length === 1);
    expect(fake.stub.requests.some((r) => r.path === "/api/v1/auth/refresh")).toBe(true);
  });

  it("says paused only after pausedAfter without a stream, and back when it returns", async () => {
    let down = true;
    fake.stub.on("GET", "/api/v1/stream", () => (down ? apiError(503, "unavailable", "down") : { stream: (res) => res.write("id: e1\nevent: ready\ndata: {}\n\n") }));
    const { paused, pausedAt } = connect();
    await until(() => paused.length === 1);
    // Not before pausedAfter (whatever the machine's speed; a Node timer may fire a millisecond
    // early by Date.now), and it kept trying meanwhile.
    expect(pausedAt[0]).toBeGreaterThanOrEqual(FAST.pausedAfter - 2);
    expect(streamRequests().length).toBeGreaterThan(1);
    down = false;
    await until(() => paused.length === 2);
    expect(paused).toEqual([true, false]);
  });

  it("backs off exponentially with jitter between failures", async () => {
    fake.stub.on("GET", "/api/v1/stream", () => apiError(503, "unavailable", "down"));
    connect({ ...FAST, baseDelay: 40, maxDelay: 10_000, random: () => 0.5 });
    await new Promise((r) => setTimeout(r, 700));
    // Waits of 40, 80, 160, 320 (half of 80…640): four or five attempts in 0.7 s, not dozens.
    expect(streamRequests().length).toBeGreaterThanOrEqual(3);
    expect(streamRequests().length).toBeLessThanOrEqual(6);
  });
});
