// Scroll benchmark for the terminal client: loads 5,000 posts into the real app (built
// files in dist/), presses `j` 1,000 times and measures keypress → frame written.
// Run: npm run build && node bench/tui-scroll.ts   (Node ≥ 23 runs TypeScript directly)
import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";

import { usageOf } from "./lib.ts";

if (process.argv.slice(2).some((a) => a === "--help" || a === "-h")) {
  console.log(usageOf(import.meta.url));
  process.exit(0);
}
// React's production build, as bin/niotebook.js uses (set before React is first loaded).
process.env.NODE_ENV ??= "production";
const { createElement } = await import("react");

type AppModule = typeof import("../src/client/app/App.js");
type RunModule = typeof import("../src/client/app/run-tui.js");
type ServicesModule = typeof import("../src/client/app/services.js");
type SessionModule = typeof import("../src/client/config/session-store.js");
type InkModule = typeof import("ink");

const dist = new URL("../dist/client/", import.meta.url);
const load = async <T>(path: string): Promise<T> => (await import(new URL(path, dist).href)) as T;
const { App } = await load<AppModule>("app/App.js");
const { createServices } = await load<RunModule>("app/run-tui.js");
const { ServicesProvider } = await load<ServicesModule>("app/services.js");
const { SessionStore } = await load<SessionModule>("config/session-store.js");
const { render } = (await import("ink")) as InkModule;

const POSTS = 5_000;
const PRESSES = 1_000;
const COLUMNS = Number(process.env.BENCH_COLUMNS ?? 80);
const ROWS = Number(process.env.BENCH_ROWS ?? 24);

// ── a local server holding 5,000 posts ─────────────────────────────────────────────────
const author = { id: randomUUID(), username: "bench", display_name: "Bench", bio: "", created_at: "2026-01-01T00:00:00.000000Z" };
const words = "terminal vim tmux shell build deploy rust go node typescript cache review merge ship".split(" ");
const posts = Array.from({ length: POSTS }, (_, i) => ({
  id: randomUUID(),
  author_id: author.id,
  author,
  content: Array.from({ length: 8 + (i % 20) }, (_, w) => words[(i * 7 + w) % words.length]).join(" ") + (i % 9 === 0 ? "\nsecond line 日本語 🎉" : ""),
  created_at: new Date(Date.UTC(2026, 0, 1) - i * 60_000).toISOString().replace("Z", "000Z"),
}));
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  res.setHeader("content-type", "application/json");
  if (url.pathname === "/api/v1/users/me") return res.end(JSON.stringify({ user: author }));
  if (url.pathname === "/api/v1/timeline") {
    const cursor = url.searchParams.get("cursor");
    const start = cursor ? posts.findIndex((p) => p.id === cursor) + 1 : 0;
    const page = posts.slice(start, start + 50);
    const hasMore = start + 50 < posts.length;
    return res.end(JSON.stringify({ posts: page, next_cursor: hasMore ? page[page.length - 1]!.id : null, has_more: hasMore }));
  }
  res.statusCode = 404;
  res.end(JSON.stringify({ error: { code: "not_found", message: "Not found" } }));
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// ── a terminal: a TTY-like stdout that timestamps frames, and a stdin we type into ────
class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = COLUMNS;
  rows = ROWS;
  lastFrame = "";
  onWrite: ((frame: string) => void) | null = null;
  write(frame: string): boolean {
    // Synchronized-output markers (BSU/ESU) arrive as writes of their own; skip them.
    if (frame.length < 16) return true;
    this.lastFrame = frame;
    this.onWrite?.(frame);
    return true;
  }
  hasColors(): boolean {
    return true;
  }
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit("readable");
  }
  read(): string | null {
    const d = this.data;
    this.data = null;
    return d;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

const configDir = mkdtempSync(join(tmpdir(), "niotebook-bench-"));
new SessionStore(configDir, serverUrl).save({
  access_token: `x.${Buffer.from(JSON.stringify({ sub: author.id, username: "bench" })).toString("base64url")}.y`,
  refresh_token: "r",
  expires_at: new Date(Date.now() + 3_600_000).toISOString(),
});
const services = createServices({ serverUrl, configDir, colors: true });
const stdout = new FakeStdout();
const stdin = new FakeStdin();
// The same render options as runTui (src/client/app/run-tui.tsx).
const instance = render(createElement(ServicesProvider, { value: services, children: createElement(App) }), {
  stdout: stdout as unknown as NodeJS.WriteStream,
  stdin: stdin as unknown as NodeJS.ReadStream,
  exitOnCtrlC: false,
  patchConsole: false,
  maxFps: 60,
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nextFrame = (): Promise<number> =>
  new Promise((resolve) => {
    stdout.onWrite = () => {
      stdout.onWrite = null;
      resolve(performance.now());
    };
  });

// Load every page: End repeatedly until the end marker shows.
const loadStart = performance.now();
for (let i = 0; i < 400 && !stdout.lastFrame.includes("reached the oldest post"); i++) {
  stdin.write("G");
  await sleep(15);
}
if (!stdout.lastFrame.includes("reached the oldest post")) throw new Error(`could not load all posts:\n${stdout.lastFrame}`);
process.stdout.write(`loaded ${POSTS} posts in ${Math.round(performance.now() - loadStart)} ms\n`);
stdin.write("g");
await sleep(100);

const samples: number[] = [];
for (let i = 0; i < PRESSES; i++) {
  const frame = nextFrame();
  const start = performance.now();
  stdin.write("j");
  samples.push((await frame) - start);
  await sleep(18); // past the 60 fps frame budget, as key repeat (~30/s) would be
}
instance.unmount();
server.close();
rmSync(configDir, { recursive: true, force: true });

samples.sort((a, b) => a - b);
const pct = (p: number): string => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!.toFixed(2);
process.stdout.write(
  `j × ${PRESSES} with ${POSTS} posts loaded (${COLUMNS}×${ROWS}): p50 ${pct(50)} ms · p95 ${pct(95)} ms · p99 ${pct(99)} ms · max ${samples[samples.length - 1]!.toFixed(2)} ms\n`,
);
process.exit(0);
