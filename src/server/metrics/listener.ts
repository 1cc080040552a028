// The metrics listener: GET /metrics in Prometheus text format on NIOTEBOOK_METRICS_PORT, bound
// to NIOTEBOOK_HOST, apart from the API (which never serves /metrics). With NIOTEBOOK_WORKERS the
// workers share the API port, so a scrape of a shared metrics port would reach one worker at
// random: instead only the primary listens, and each scrape asks every worker for its metrics
// over the cluster's IPC channel and answers their sum (prom-client's AggregatorRegistry).
import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AggregatorRegistry, type Registry } from "prom-client";

export interface MetricsListener {
  /** The URL scraped: http://host:port/metrics. */
  url: string;
  port: number;
  close(): Promise<void>;
}

type Render = () => Promise<{ contentType: string; body: string }>;

export async function listenMetrics(host: string, port: number, render: Render): Promise<MetricsListener> {
  const server: Server = createServer({ headersTimeout: 10_000, requestTimeout: 15_000 }, (request, response) => {
    const path = (request.url ?? "").split("?", 1)[0];
    const reply = (status: number, text: string, headers: Record<string, string> = {}) =>
      response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers }).end(text);
    if (path !== "/metrics") return reply(404, "not found: the metrics are at /metrics\n");
    if (request.method !== "GET" && request.method !== "HEAD") return reply(405, "use GET\n", { allow: "GET, HEAD" });
    render().then(
      ({ contentType, body }) => reply(200, request.method === "HEAD" ? "" : body, { "content-type": contentType }),
      // A worker that did not answer in time (or died mid-scrape): say so; Prometheus retries.
      (error: Error) => reply(503, `metrics unavailable: ${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return {
    url: `http://${shownHost}:${actual}/metrics`,
    port: actual,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * Serves this process's metrics: from its own listener, or, in a cluster worker, by answering
 * the primary's requests (the primary listens; see listenClusterMetrics). Null in a worker.
 */
export async function exposeMetrics(host: string, port: number, registry: Registry): Promise<MetricsListener | null> {
  if (cluster.isWorker) {
    // Constructing an AggregatorRegistry installs the worker's answer to the primary's requests.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
    return null;
  }
  return listenMetrics(host, port, async () => ({ contentType: registry.contentType, body: await registry.metrics() }));
}

/** The primary's listener: each scrape is the sum over the workers alive. */
export function listenClusterMetrics(host: string, port: number): Promise<MetricsListener> {
  const aggregator = new AggregatorRegistry();
  return listenMetrics(host, port, async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }));
}
