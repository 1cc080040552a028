// The load generator process: `node bench/load.ts <config.json>` prints one JSON result.
// Run by bench/run.ts as a separate process, so it never shares an event loop with the
// server, the ceilings or the orchestrator.
//
// mode "closed": autocannon, N connections each sending its next request as soon as the
//   previous answer arrives (maximum throughput).
// mode "paced": an open-loop driver for a fixed request rate (autocannon's own rate option
//   sends each second's quota in a burst at the start of the second, which is not a fixed
//   rate). Requests fall due evenly (to a fraction of a millisecond: lib.ts pacedSlots);
//   latency is measured from the moment a request was *due*, so time spent queued behind
//   slow answers counts (no coordinated omission).
//
// In both modes connection k comes from the loopback address 127.0.1.(k % sources + 1), so
// per-IP rate limits see `sources` clients rather than one (the server keys buckets by IP).
import { readFileSync } from "node:fs";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import { requestFactory, type LoadData, type Scenario } from "./scenarios.ts";
import type { AutocannonModule } from "./autocannon.ts";
import { WindowedLatencies, pacedSlots, percentile } from "./lib.ts";

export interface LoadConfig {
  url: string;
  scenario: Scenario;
  connections: number;
  durationS: number;
  warmupS: number;
  dataFile: string;
  mode: "closed" | "paced";
  /** requests per second, paced mode only */
  rate?: number;
  /** distinct loopback source addresses (0 = let the OS choose 127.0.0.1) */
  sources: number;
  seed?: number;
  /** paced mode: split the recorded span into this many equal windows (default 1) */
  windows?: number;
}

export interface LoadResult {
  scenario: Scenario;
  mode: "closed" | "paced";
  connections: number;
  windowS: number;
  /** 2xx answers per second in the measured window */
  rps: number;
  ok: number;
  errors: number;
  /** status code → count, non-2xx only */
  byStatus: Record<string, number>;
  socketErrors: number;
  timeouts: number;
  /** latency of 2xx answers, ms (paced: from the moment the request was due) */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** paced mode: latency from the moment the request was actually written */
  serviceP50?: number;
  serviceP99?: number;
  targetRate?: number;
  /** paced mode: requests that could not even be sent on time (driver behind) */
  lateStarts?: number;
  /** paced mode: p99 of each window of the recorded span (see `windows`) */
  windowP99s?: number[];
  /** paced mode: the recorded span in wall-clock ms, to match the server's own log lines */
  recordedEpochMs?: [number, number];
  bytesPerResponse: number;
  /** every answer and error, warm-up included (for CPU time per request) */
  total: number;
  /** the load generator's own CPU per request, µs (it shares the machine's 2 cores) */
  generatorCpuUsPerReq?: number;
}

class Samples {
  private buf = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort();
  }
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function summarize(config: LoadConfig, lat: Samples, windowS: number, ok: number, byStatus: Record<string, number>,
  socketErrors: number, timeouts: number, bytes: number, total: number, extra: Partial<LoadResult> = {}): LoadResult {
  const sorted = lat.sorted();
  let sum = 0;
  for (const v of sorted) sum += v;
  const non2xx = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return {
    scenario: config.scenario,
    mode: config.mode,
    connections: config.connections,
    windowS: r3(windowS),
    rps: Math.round((ok / windowS) * 10) / 10,
    ok,
    errors: non2xx + socketErrors + timeouts,
    byStatus,
    socketErrors,
    timeouts,
    p50: r3(percentile(sorted, 50)),
    p90: r3(percentile(sorted, 90)),
    p99: r3(percentile(sorted, 99)),
    max: r3(sorted.length ? sorted[sorted.length - 1]! : NaN),
    mean: r3(sorted.length ? sum / sorted.length : NaN),
    bytesPerResponse: ok + non2xx > 0 ? Math.round(bytes / (ok + non2xx)) : 0,
    total,
    ...extra,
  };
}

const sourceAddress = (k: number, sources: number) => `127.0.1.${(k % sources) + 1}`;

// autocannon opens its sockets with net.connect(port, host); give each its own source address.
const originalConnect = net.connect;
let sourcesNow = 0;
let connectCount = 0;
(net as { connect: unknown }).connect = (port: number, host: string) =>
  originalConnect({ port, host, ...(sourcesNow > 0 ? { localAddress: sourceAddress(connectCount++, sourcesNow) } : {}) });

let autocannonModule: AutocannonModule | undefined;
function loadAutocannon(): AutocannonModule {
  autocannonModule ??= createRequire(import.meta.url)("autocannon") as AutocannonModule;
  return autocannonModule;
}

async function closed(config: LoadConfig, data: LoadData): Promise<LoadResult> {
  sourcesNow = config.sources;
  connectCount = 0;
  const autocannon = loadAutocannon();
  const next = requestFactory(config.scenario, data, config.seed ?? 0);
  const lat = new Samples();
  const byStatus: Record<string, number> = {};
  let ok = 0, socketErrors = 0, timeouts = 0, bytes = 0;
  let measuring = false;
  let windowStart = 0, windowEnd = 0;
  let stopTimer: NodeJS.Timeout | undefined;
  // autocannon rounds durations up to whole seconds: stop it ourselves at the exact end.
  const instance = autocannon({
    url: config.url,
    connections: config.connections,
    duration: Math.ceil(config.durationS + config.warmupS) + 60,
    timeout: 30,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  const warmTimer = setTimeout(() => {
    measuring = true;
    windowStart = performance.now();
    stopTimer = setTimeout(() => {
      measuring = false;
      windowEnd = performance.now();
      instance.stop();
    }, config.durationS * 1000);
  }, config.warmupS * 1000);
  let total = 0;
  instance.on("response", (_client, statusCode, resBytes, responseTime) => {
    total++;
    if (!measuring) return;
    bytes += resBytes;
    if (statusCode >= 200 && statusCode < 300) {
      ok++;
      lat.push(responseTime);
    } else {
      byStatus[statusCode] = (byStatus[statusCode] ?? 0) + 1;
    }
  });
  instance.on("reqError", (error) => {
    total++;
    if (!measuring) return;
    if (/timeout/i.test(String((error as Error)?.message ?? error))) timeouts++;
    else socketErrors++;
  });
  await new Promise<void>((resolve) => instance.on("done", () => resolve()));
  clearTimeout(warmTimer);
  clearTimeout(stopTimer);
  const windowS = ((windowEnd || performance.now()) - windowStart) / 1000;
  return summarize(config, lat, windowS, ok, byStatus, socketErrors, timeouts, bytes, total);
}

// The paced driver speaks HTTP/1.1 over raw keep-alive sockets (like autocannon, not node:http,
// whose client costs several times more CPU per request — CPU the server on this 2-core machine
// would lose). Each request is written when it is due if a connection is free, else queued
// until one is; latency counts from the due time either way.
async function paced(config: LoadConfig, data: LoadData): Promise<LoadResult> {
  const rate = config.rate!;
  const target = new URL(config.url);
  const host = target.host;
  const next = requestFactory(config.scenario, data, config.seed ?? 0);
  const lat = new Samples();
  const service = new Samples();
  const byStatus: Record<string, number> = {};
  let ok = 0, socketErrors = 0, timeouts = 0, bytes = 0, lateStarts = 0, total = 0;
  // Set once every connection is open.
  let warmEnd = Infinity;
  const windows = new WindowedLatencies(config.durationS * 1000, config.windows);
  const interval = 1000 / rate;

  interface Conn { socket: net.Socket; buf: Buffer; due: number; written: number; busy: boolean }
  const idle: Conn[] = [];
  const queue: number[] = [];
  let queueHead = 0;

  const serialize = (due: number) => {
    const req = next();
    let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n`;
    for (const [k, v] of Object.entries(req.headers)) head += `${k}: ${v}\r\n`;
    if (req.body !== undefined) head += `content-length: ${Buffer.byteLength(req.body)}\r\n`;
    return { text: head + "\r\n" + (req.body ?? ""), due };
  };
  const send = (c: Conn, due: number) => {
    c.busy = true;
    c.due = due;
    c.written = performance.now();
    c.socket.write(serialize(due).text);
  };
  const dispatch = () => {
    while (queueHead < queue.length && idle.length > 0) send(idle.pop()!, queue[queueHead++]!);
    if (queueHead > 4096 && queueHead === queue.length) {
      queue.length = 0;
      queueHead = 0;
    }
  };
  const finish = (c: Conn, status: number, n: number) => {
    const now = performance.now();
    total++;
    if (c.due >= warmEnd) {
      bytes += n;
      if (status >= 200 && status < 300) {
        ok++;
        lat.push(now - c.due);
        windows.push(c.due - warmEnd, now - c.due);
        service.push(now - c.written);
      } else {
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
    }
    c.busy = false;
    idle.push(c);
    dispatch();
  };
  const onData = (c: Conn, chunk: Buffer) => {
    c.buf = c.buf.length ? Buffer.concat([c.buf, chunk]) : chunk;
    for (;;) {
      const headEnd = c.buf.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      const head = c.buf.subarray(0, headEnd).toString("latin1");
      const status = Number(head.slice(9, 12));
      const m = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!m) throw new Error("paced driver: response without content-length");
      const size = headEnd + 4 + Number(m[1]);
      if (c.buf.length < size) return;
      c.buf = c.buf.subarray(size);
      finish(c, status, size);
    }
  };
  const conns: Conn[] = await Promise.all(Array.from({ length: config.connections }, (_, k) => new Promise<Conn>((resolve, reject) => {
    const socket = originalConnect({ port: Number(target.port), host: target.hostname, ...(config.sources > 0 ? { localAddress: sourceAddress(k, config.sources) } : {}) });
    socket.setNoDelay(true);
    const c: Conn = { socket, buf: Buffer.alloc(0), due: 0, written: 0, busy: false };
    socket.once("connect", () => resolve(c));
    socket.once("error", reject);
  })));
  for (const c of conns) {
    c.socket.removeAllListeners("error");
    c.socket.on("data", (chunk: Buffer) => onData(c, chunk));
    c.socket.on("error", () => {
      if (c.due >= warmEnd) socketErrors++;
    });
    c.socket.on("close", () => {
      if (c.busy && c.due >= warmEnd) socketErrors++;
      c.busy = true; // never reused
    });
    idle.push(c);
  }
  const t0 = performance.now();
  warmEnd = t0 + config.warmupS * 1000;
  const end = warmEnd + config.durationS * 1000;
  await pacedSlots(t0, interval, end, (due, now) => {
    if (now - due > 5 && due >= warmEnd) lateStarts++;
    queue.push(due);
  }, dispatch);
  // Let what is queued or in flight finish (bounded), counting timeouts for what never does.
  const drainUntil = performance.now() + 30_000;
  while ((queueHead < queue.length || conns.some((c) => c.busy && !c.socket.destroyed)) && performance.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, 5));
  }
  timeouts += queue.length - queueHead + conns.filter((c) => c.busy && !c.socket.destroyed).length;
  for (const c of conns) c.socket.destroy();
  const sorted = service.sorted();
  return summarize(config, lat, config.durationS, ok, byStatus, socketErrors, timeouts, bytes, total, {
    serviceP50: r3(percentile(sorted, 50)), serviceP99: r3(percentile(sorted, 99)), targetRate: rate, lateStarts,
    windowP99s: windows.p99s(), recordedEpochMs: [Math.round(performance.timeOrigin + warmEnd), Math.round(performance.timeOrigin + end)],
  });
}

const dataCache = new Map<string, LoadData>();
async function execute(config: LoadConfig): Promise<LoadResult> {
  let data = dataCache.get(config.dataFile);
  if (!data) dataCache.set(config.dataFile, (data = JSON.parse(readFileSync(config.dataFile, "utf8")) as LoadData));
  // A clean heap before every measurement (run with --expose-gc), so one run's garbage is not collected in the next.
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const result = config.mode === "paced" ? await paced(config, data) : await closed(config, data);
  const used = process.cpuUsage(cpu);
  result.generatorCpuUsPerReq = result.total ? Math.round((used.user + used.system) / result.total) : undefined;
  return result;
}

if (process.send) {
  // Forked by bench/run.ts: one long-lived generator process, one measurement per message,
  // which saves a Node start-up (~1 s on a busy 2-core machine) per measurement.
  loadAutocannon();
  process.on("message", (message: { config: LoadConfig }) => {
    execute(message.config).then(
      (result) => process.send!({ result }),
      (error: Error) => process.send!({ error: error.stack ?? error.message }),
    );
  });
  process.send({ ready: true });
} else {
  const result = await execute(JSON.parse(readFileSync(process.argv[2]!, "utf8")) as LoadConfig);
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
