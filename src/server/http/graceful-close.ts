// Graceful shutdown. On SIGTERM every answer starts closing its connection, but the server
// keeps accepting until it has had no request in flight for a moment: connections already in
// the kernel's queue are served rather than reset (no other process would take them). Then
// the listener closes, requests already sent on open connections are still served, and a
// connection is closed only once it has carried no request for a while: node's
// closeIdleConnections() cannot tell a connection whose request is in transit (or unread
// while the loop was busy) from an idle one.
import type { FastifyInstance } from "fastify";
import type { Socket } from "node:net";

const QUIET_BEFORE_CLOSE_MS = 300;
const MAX_ACCEPT_AFTER_SIGNAL_MS = 20_000;
const IDLE_BEFORE_CLOSE_MS = 1_000;
const SWEEP_EVERY_MS = 250;

declare module "fastify" {
  interface FastifyInstance {
    /** Stops the server gracefully (see graceful-close.ts); resolves when all requests are answered. */
    drainAndClose(): Promise<void>;
    /** Registers a callback run when draining starts: long-lived responses (streams) end there. */
    onDrain(callback: () => void): void;
  }
}

interface ConnectionState {
  inFlight: number;
  lastActiveMs: number;
}

export function registerGracefulClose(app: FastifyInstance): void {
  let draining = false;
  const drainCallbacks: Array<() => void> = [];
  const startDraining = () => {
    if (draining) return;
    draining = true;
    for (const callback of drainCallbacks) callback();
  };
  app.decorate("onDrain", (callback: () => void) => void drainCallbacks.push(callback));
  const connections = new Map<Socket, ConnectionState>();
  app.server.on("connection", (socket: Socket) => {
    connections.set(socket, { inFlight: 0, lastActiveMs: Date.now() });
    socket.once("close", () => connections.delete(socket));
  });
  app.server.on("request", (request, response) => {
    const state = connections.get(request.socket);
    if (!state) return;
    state.inFlight++;
    state.lastActiveMs = Date.now();
    response.once("close", () => {
      state.inFlight--;
      state.lastActiveMs = Date.now();
    });
  });

  app.addHook("onSend", async (_request, reply) => {
    if (draining) reply.header("Connection", "close");
  });
  app.addHook("preClose", async () => {
    startDraining();
    // From the check phase, right after a poll phase has read whatever arrived meanwhile.
    const sweep = setInterval(() => setImmediate(() => {
      const now = Date.now();
      for (const [socket, state] of connections) {
        if (state.inFlight === 0 && now - state.lastActiveMs >= IDLE_BEFORE_CLOSE_MS) socket.destroy();
      }
    }), SWEEP_EVERY_MS);
    sweep.unref();
    app.server.once("close", () => clearInterval(sweep));
  });
  app.decorate("drainAndClose", async function drainAndClose() {
    startDraining();
    const started = Date.now();
    const busy = () => [...connections.values()].some((c) => c.inFlight > 0 || Date.now() - c.lastActiveMs < QUIET_BEFORE_CLOSE_MS);
    while (busy() && Date.now() - started < MAX_ACCEPT_AFTER_SIGNAL_MS) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await app.close();
  });
}
