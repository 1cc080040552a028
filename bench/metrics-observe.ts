// Micro-benchmark: the per-request cost of recording one request (a counter by method, route
// and status, and a latency histogram by method and route) with prom-client, against a
// hand-rolled Map of counters and fixed-bucket arrays. Not part of `npm run bench`.
//   node bench/metrics-observe.ts [--n 2000000]
import { Counter, Histogram, Registry } from "prom-client";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { n: { type: "string" } } });
const N = Number(values.n ?? 2_000_000);
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
// A realistic mix: a handful of routes, methods and statuses, as the server sees them.
const REQUESTS = [
  ["GET", "/api/v1/timeline", 200], ["GET", "/api/v1/posts/:id", 200], ["POST", "/api/v1/posts", 201],
  ["GET", "/api/v1/users/:id", 404], ["GET", "(unmatched)", 404], ["POST", "/api/v1/auth/login", 401],
  ["GET", "/health", 200], ["DELETE", "/api/v1/posts/:id", 204],
] as const;

function promClient() {
  const registry = new Registry();
  const requests = new Counter({ name: "r_total", help: "r", labelNames: ["method", "route", "status"] as const, registers: [registry] });
  const duration = new Histogram({ name: "d_seconds", help: "d", labelNames: ["method", "route"] as const, buckets: BUCKETS, registers: [registry] });
  return (method: string, route: string, status: number, seconds: number) => {
    requests.inc({ method, route, status });
    duration.observe({ method, route }, seconds);
  };
}

function handRolled() {
  const counts = new Map<string, number>();
  const histograms = new Map<string, { buckets: Float64Array; sum: number; count: number }>();
  return (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${route}`;
    const countKey = `${key} ${status}`;
    counts.set(countKey, (counts.get(countKey) ?? 0) + 1);
    let h = histograms.get(key);
    if (!h) histograms.set(key, (h = { buckets: new Float64Array(BUCKETS.length), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) { h.buckets[i]!++; break; }
    h.sum += seconds;
    h.count++;
  };
}

function measure(name: string, observe: (m: string, r: string, s: number, sec: number) => void): number {
  for (let i = 0; i < 200_000; i++) { const q = REQUESTS[i & 7]!; observe(q[0], q[1], q[2], (i % 100) / 1000); }
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) { const q = REQUESTS[i & 7]!; observe(q[0], q[1], q[2], (i % 100) / 1000); }
  const ns = Number(process.hrtime.bigint() - started) / N;
  console.log(`${name.padEnd(12)} ${ns.toFixed(0).padStart(5)} ns per request`);
  return ns;
}

const results: Record<string, number[]> = { "prom-client": [], "hand-rolled": [] };
for (let round = 0; round < 3; round++) {
  results["prom-client"]!.push(measure("prom-client", promClient()));
  results["hand-rolled"]!.push(measure("hand-rolled", handRolled()));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
console.log(`median of 3: prom-client ${median(results["prom-client"]!).toFixed(0)} ns, hand-rolled ${median(results["hand-rolled"]!).toFixed(0)} ns`);
