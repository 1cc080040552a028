// What the server counts for Prometheus (GET /metrics on its own listener, listener.ts). Every
// label has a bounded set of values: a route's template (never the path asked for), a known
// method, a status code. Features that are not requests report through small methods here:
// streamOpened() for open live-update streams, observeDeliveryLag() for event delivery.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The route label of a request no route served (404, 405, CORS refusals before routing). */
export const UNMATCHED_ROUTE = "(unmatched)";
/** The method label of any method outside the known set. */
export const OTHER_METHOD = "OTHER";
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const DELIVERY_LAG_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface PoolStats {
  /** Connections open, busy or idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

export interface MetricSources {
  /** The database pool's use; undefined for a database without a pool (the embedded one). */
  pool?: () => PoolStats | undefined;
  /** The first-page cache's running totals. */
  firstPage?: () => { hits: number; misses: number };
}

export const methodLabel = (method: string): string => (KNOWN_METHODS.has(method) ? method : OTHER_METHOD);

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status">;
  private readonly duration: Histogram<"method" | "route">;
  private readonly openStreams: Gauge;
  private readonly deliveryLag: Histogram;

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "niotebook_http_requests_total", help: "HTTP requests answered, by method, route template and status",
      labelNames: ["method", "route", "status"], registers,
    });
    this.duration = new Histogram({
      name: "niotebook_http_request_duration_seconds", help: "Time from receiving a request to sending its answer, by method and route template",
      labelNames: ["method", "route"], buckets: LATENCY_BUCKETS_S, registers,
    });
    this.openStreams = new Gauge({ name: "niotebook_open_streams", help: "Live-update streams open now", registers });
    this.deliveryLag = new Histogram({
      name: "niotebook_event_delivery_lag_seconds", help: "Time from an event happening to its delivery on a stream",
      buckets: DELIVERY_LAG_BUCKETS_S, registers,
    });
    const pool = sources.pool;
    new Gauge({
      name: "niotebook_db_pool_connections", help: "Database pool connections, by state (busy or idle)",
      labelNames: ["state"], registers,
      collect() {
        const stats = pool?.();
        if (!stats) return;
        this.set({ state: "busy" }, stats.total - stats.idle);
        this.set({ state: "idle" }, stats.idle);
      },
    });
    new Gauge({
      name: "niotebook_db_pool_waiting", help: "Queries waiting for a database pool connection", registers,
      collect() {
        const stats = pool?.();
        if (stats) this.set(stats.waiting);
      },
    });
    const firstPage = sources.firstPage;
    new Counter({
      name: "niotebook_first_page_cache_requests_total", help: "First timeline pages asked of the cache, by result (hit: served from memory)",
      labelNames: ["result"], registers,
      collect() {
        if (!firstPage) return;
        // The cache keeps running totals; a counter can only grow, so restate them.
        const { hits, misses } = firstPage();
        this.reset();
        this.inc({ result: "hit" }, hits);
        this.inc({ result: "miss" }, misses);
      },
    });
  }

  /** Records one answered request; `route` is the matched route's template, undefined if none. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = { method: methodLabel(method), route: route ?? UNMATCHED_ROUTE };
    this.requests.inc({ ...labels, status });
    this.duration.observe(labels, seconds);
  }

  /** Counts a stream as open until the returned function is called (once; later calls do nothing). */
  streamOpened(): () => void {
    this.openStreams.inc();
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.openStreams.dec();
    };
  }

  /** Records how long an event took from happening to being written to a stream. */
  observeDeliveryLag(seconds: number): void {
    this.deliveryLag.observe(Math.max(0, seconds));
  }

  /** The Prometheus text exposition of everything above. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
