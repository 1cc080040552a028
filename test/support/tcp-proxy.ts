// A TCP proxy a test controls, standing between the server and PostgreSQL: it forwards,
// refuses connections (as a stopped database does), or goes silent (as a hung host or a
// dropped network does: connections stay open and nothing comes back).
import { createConnection, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "forward" | "refuse" | "silent";

export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket | undefined]>();
  /** Open connections that hang while new ones work, as after a fail-over to a new host. */
  private readonly stalled = new WeakSet<Socket>();
  mode: ProxyMode = "forward";

  private constructor(readonly port: number, private readonly upstream: { host: string; port: number }) {}

  static async start(upstream: { host: string; port: number }): Promise<TcpProxy> {
    const probe = createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    }));
    const proxy = new TcpProxy(port, upstream);
    await proxy.listen();
    return proxy;
  }

  private listen(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    return new Promise((resolve) => this.server!.listen(this.port, "127.0.0.1", () => resolve()));
  }

  private accept(client: Socket): void {
    client.on("error", () => {});
    if (this.mode === "silent") {
      // Accept and swallow: the database never answers.
      const pair: [Socket, Socket | undefined] = [client, undefined];
      this.pairs.add(pair);
      client.on("data", () => {});
      client.once("close", () => this.pairs.delete(pair));
      return;
    }
    const upstream = createConnection(this.upstream);
    upstream.on("error", () => client.destroy());
    const pair: [Socket, Socket | undefined] = [client, upstream];
    this.pairs.add(pair);
    client.on("data", (chunk) => {
      if (this.mode === "forward" && !this.stalled.has(client)) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (this.mode === "forward" && !this.stalled.has(client)) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.once("close", end);
    upstream.once("close", end);
  }

  private dropAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream?.destroy();
    }
    this.pairs.clear();
  }

  /** Connections are refused and open ones are cut: a database that went away. */
  async refuse(): Promise<void> {
    this.mode = "refuse";
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    this.dropAll();
    await closed;
  }

  /** Everything stays open and nothing comes back. */
  silent(): void {
    this.mode = "silent";
  }

  /** Connections open now hang for good (nothing passes, nothing closes); new ones work. */
  stallOpenConnections(): void {
    for (const [client] of this.pairs) this.stalled.add(client);
  }

  /** Back to normal. Connections that went silent are cut, as a timed-out TCP peer would be. */
  async forward(): Promise<void> {
    if (this.mode === "silent") this.dropAll();
    this.mode = "forward";
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    await this.refuse();
  }
}
