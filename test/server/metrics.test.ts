// GET /metrics: Prometheus text on a listener of its own (NIOTEBOOK_METRICS_PORT), with labels
// of bounded cardinality (route templates, known methods), off when the port is unset, and,
// with workers, one scrape target that sums every worker.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { exposeMetrics } from "../../src/server/metrics/listener.js";
import { UNMATCHED_ROUTE } from "../../src/server/metrics/metrics.js";
import { BACKENDS, signUp, startTestServer, TestClient } from "./harness.js";
import {
  createTestDatabase, freePort, httpRequest, removeTempDirs, runServerCommand, startServerProcess, tempDataDir, TEST_JWT_SECRET,
} from "../support/server-process.js";

afterAll(removeTempDirs);

const SERIES = [
  "niotebook_http_requests_total", "niotebook_http_request_duration_seconds", "niotebook_db_pool_connections",
  "niotebook_db_pool_waiting", "niotebook_first_page_cache_requests_total", "niotebook_open_streams",
  "niotebook_event_delivery_lag_seconds",
];

/** The sample lines of a text exposition (one per series), without comments. */
const samples = (text: string): string[] => text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));

/** The value of the one sample whose name and labels are exactly `series`, or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = samples(text).find((l) => l.slice(0, l.lastIndexOf(" ")) === series);
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** Every label value in the exposition. */
function labelValues(text: string): string[] {
  return samples(text).flatMap((line) => [...line.matchAll(/[a-z_]+="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!));
}

describe.each(BACKENDS)("metrics on %s", (backend) => {
  it("serve the contract's series in text format on their own listener, never on the API", async () => {
    const server = await startTestServer(backend, { NIOTEBOOK_METRICS_PORT: "0" });
    const listener = await exposeMetrics("127.0.0.1", 0, server.ctx.metrics.registry);
    try {
      const { client } = await signUp(server.app);
      expect((await client.get("/health")).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) expect((await client.get("/api/v1/timeline")).statusCode).toBe(200);
      expect((await client.get(`/api/v1/posts/${randomUUID()}`)).statusCode).toBe(404);
      const closeStream = server.ctx.metrics.streamOpened();
      server.ctx.metrics.streamOpened();
      closeStream();
      closeStream(); // a second close does not count twice
      server.ctx.metrics.observeDeliveryLag(0.2);

      const res = await fetch(listener!.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      for (const name of SERIES) expect(text).toContain(`# TYPE ${name} `);
      expect(valueOf(text, 'niotebook_http_requests_total{method="GET",route="/health",status="200"}')).toBe(1);
      expect(valueOf(text, 'niotebook_http_requests_total{method="GET",route="/api/v1/timeline",status="200"}')).toBe(3);
      expect(valueOf(text, 'niotebook_http_requests_total{method="GET",route="/api/v1/posts/:id",status="404"}')).toBe(1);
      expect(valueOf(text, 'niotebook_http_requests_total{method="POST",route="/api/v1/auth/register",status="201"}')).toBe(1);
      expect(valueOf(text, 'niotebook_http_request_duration_seconds_count{method="GET",route="/api/v1/timeline"}')).toBe(3);
      expect(valueOf(text, 'niotebook_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/v1/timeline"}')).toBe(3);
      // The first read loads the page; the next two come from memory.
      expect(valueOf(text, 'niotebook_first_page_cache_requests_total{result="miss"}')).toBe(1);
      expect(valueOf(text, 'niotebook_first_page_cache_requests_total{result="hit"}')).toBe(2);
      expect(valueOf(text, "niotebook_open_streams")).toBe(1);
      expect(valueOf(text, "niotebook_event_delivery_lag_seconds_count")).toBe(1);
      expect(valueOf(text, 'niotebook_event_delivery_lag_seconds_bucket{le="0.25"}')).toBe(1);
      expect(valueOf(text, 'niotebook_event_delivery_lag_seconds_bucket{le="0.1"}')).toBe(0);
      if (backend === "postgres") {
        // The pool has connections open after those queries; none busy between requests.
        expect(valueOf(text, 'niotebook_db_pool_connections{state="idle"}')).toBeGreaterThanOrEqual(1);
        expect(valueOf(text, 'niotebook_db_pool_connections{state="busy"}')).toBe(0);
        expect(valueOf(text, "niotebook_db_pool_waiting")).toBe(0);
      } else {
        // The embedded database is one session, without a pool.
        expect(text).not.toContain("niotebook_db_pool_connections{");
      }

      // The listener answers /metrics only; the API has no /metrics.
      expect((await fetch(listener!.url.replace("/metrics", "/health"))).status).toBe(404);
      expect((await fetch(listener!.url, { method: "POST" })).status).toBe(405);
      expect((await new TestClient(server.app).get("/metrics")).statusCode).toBe(404);
    } finally {
      await listener?.close();
      await server.close();
    }
  }, 120_000);
});

describe("metrics labels", () => {
  it("take no new series from 10,000 distinct URLs, and never hold a uuid or a raw path", async () => {
    const server = await startTestServer("embedded", { NIOTEBOOK_METRICS_PORT: "0" });
    try {
      const { client } = await signUp(server.app);
      const anonymous = new TestClient(server.app);
      // Every kind of request below once, so each series it feeds exists before counting.
      const kinds: Array<(i: number) => Promise<unknown>> = [
        () => client.get(`/api/v1/users/${randomUUID()}`),
        () => client.get(`/api/v1/posts/${randomUUID()}`),
        () => anonymous.get(`/no/such/${randomUUID()}?q=${randomUUID()}`),
        () => anonymous.get(`/api/v1/users/${randomUUID()}/posts/${randomUUID()}`),
        () => anonymous.request("PUT", `/api/v1/posts/${randomUUID()}`),
        (i) => server.app.inject({ method: "PROPFIND" as "GET", url: `/dav/${i}/${randomUUID()}` }),
      ];
      for (const kind of kinds) await kind(-1);
      const render = async () => (await server.ctx.metrics.render()).body;
      const before = await render();
      const unmatchedBefore = valueOf(before, `niotebook_http_requests_total{method="GET",route="${UNMATCHED_ROUTE}",status="404"}`)!;

      for (let i = 0; i < 10_000; i++) await kinds[i % kinds.length]!(i);

      const after = await render();
      expect(samples(after).length).toBe(samples(before).length);
      expect(samples(after).map((l) => l.slice(0, l.lastIndexOf(" ")))).toEqual(samples(before).map((l) => l.slice(0, l.lastIndexOf(" "))));
      // The requests were counted (under their templates), not dropped.
      const unmatchedAfter = valueOf(after, `niotebook_http_requests_total{method="GET",route="${UNMATCHED_ROUTE}",status="404"}`)!;
      // Kinds 2 and 3 (an unknown path, a too-deep user path) are GETs no route serves.
      let unmatchedGets = 0;
      for (let i = 0; i < 10_000; i++) if (i % kinds.length === 2 || i % kinds.length === 3) unmatchedGets++;
      expect(unmatchedAfter - unmatchedBefore).toBe(unmatchedGets);
      expect(valueOf(after, 'niotebook_http_requests_total{method="GET",route="/api/v1/users/:id",status="404"}')).toBeGreaterThan(1_600);
      expect(after).toContain('method="OTHER"');
      const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
      const values = labelValues(after);
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) {
        expect(value).not.toMatch(uuid);
        expect(value).not.toMatch(/^\/(no|dav)\//);
        expect(value).not.toContain("?");
      }
    } finally {
      await server.close();
    }
  }, 180_000);
});

/** The TCP ports a process listens on (Linux: its socket inodes in /proc/net/tcp and tcp6). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is fields[1] (hex ip:port), st fields[3] (0A = LISTEN), inode fields[9].
      if (fields[3] === "0A" && inodes.has(fields[9]!)) ports.add(parseInt(fields[1]!.split(":")[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

describe("the metrics listener as the server runs it", () => {
  it("validates NIOTEBOOK_METRICS_PORT and lists it in --help", () => {
    const help = runServerCommand(["--help"]);
    expect(help.stdout).toContain("NIOTEBOOK_METRICS_PORT");
    const bad = runServerCommand([], { NIOTEBOOK_METRICS_PORT: "metrics" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("NIOTEBOOK_METRICS_PORT must be a port number");
    const same = runServerCommand([], { NIOTEBOOK_PORT: "8099", NIOTEBOOK_METRICS_PORT: "8099" });
    expect(same.status).toBe(2);
    expect(same.stderr).toContain("must differ from NIOTEBOOK_PORT");
  });

  it("listens on nothing but the API port when NIOTEBOOK_METRICS_PORT is unset", async () => {
    const off = await startServerProcess({ NIOTEBOOK_DATA_DIR: tempDataDir(), NIOTEBOOK_METRICS_PORT: "" });
    try {
      const apiPort = Number(new URL(off.url).port);
      expect(listeningPorts(off.child.pid!)).toEqual([apiPort]);
      expect(off.output()).not.toContain("metrics on");
    } finally {
      await off.stop();
    }
  }, 180_000);

  it("listens on NIOTEBOOK_METRICS_PORT too when it is set, and serves /metrics there only", async () => {
    const metricsPort = await freePort();
    const on = await startServerProcess({ NIOTEBOOK_DATA_DIR: tempDataDir(), NIOTEBOOK_METRICS_PORT: String(metricsPort) });
    try {
      const apiPort = Number(new URL(on.url).port);
      expect(listeningPorts(on.child.pid!)).toEqual([apiPort, metricsPort].sort((a, b) => a - b));
      const scrape = await httpRequest(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.body).toContain('niotebook_http_requests_total{method="GET",route="/health",status="200"}');
      expect((await httpRequest(`${on.url}/metrics`)).status).toBe(404);
      expect(on.output()).toContain(`metrics on http://127.0.0.1:${metricsPort}/metrics`);
      expect(await on.stop()).toBe(0);
    } finally {
      await on.stop();
    }
  }, 180_000);
});

const pgUrl = process.env.NIOTEBOOK_TEST_DB_URL;
describe.skipIf(!pgUrl)("metrics with workers", () => {
  it("are one scrape target on the primary, summing every worker", async () => {
    const db = await createTestDatabase(pgUrl!);
    const metricsPort = await freePort();
    const server = await startServerProcess({
      NIOTEBOOK_DB_URL: db.url, NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET, NIOTEBOOK_WORKERS: "2", NIOTEBOOK_RATE_LIMIT: "off",
      NIOTEBOOK_METRICS_PORT: String(metricsPort),
    });
    try {
      // Each request on a fresh connection, so both workers answer some.
      for (let i = 0; i < 20; i++) {
        expect((await httpRequest(`${server.url}/no/such/${randomUUID()}`, { headers: { connection: "close" } })).status).toBe(404);
      }
      const scrape = await httpRequest(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scrape.status).toBe(200);
      expect(valueOf(scrape.body, `niotebook_http_requests_total{method="GET",route="${UNMATCHED_ROUTE}",status="404"}`)).toBe(20);
      // Each worker's pool is in the sum: at least one idle connection per worker that answered.
      expect(valueOf(scrape.body, 'niotebook_db_pool_connections{state="idle"}')).toBeGreaterThanOrEqual(1);
      expect(listeningPorts(server.child.pid!)).toContain(metricsPort);
      expect(await server.stop()).toBe(0);
    } finally {
      await server.stop();
      await db.drop();
    }
  }, 120_000);
});
