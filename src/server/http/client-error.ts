// Requests Node's HTTP parser gives up on (a malformed request line, headers over 16 KiB, a
// request that does not arrive within the timeouts) never reach Fastify's routing or hooks.
// They still get the contract's envelope and the headers every response carries, then the
// connection is closed, as Node itself would.
import type { Socket } from "node:net";
import { STATUS_CODES } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import { logRequest } from "./request-log.js";

function answerFor(code: string | undefined): { status: number; message: string } {
  switch (code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, message: "The request did not arrive in time (headers within 10 s, the whole request within 15 s)" };
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, message: "The request's headers (the URL included) are larger than 16 KiB" };
    default:
      return { status: 400, message: "Malformed HTTP request" };
  }
}

/** Fastify calls it bound to the server instance: its logger writes the request's line. */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // As Node itself does: never write into a response that has already begun.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const { status, message } = answerFor(error.code);
    // Nothing of the request is known for sure (it did not parse): no method, no path.
    logRequest(this.log, { method: "?", route: "(unparsed)", path: "?", status, duration_ms: 0, ip: socket.remoteAddress });
    const body = JSON.stringify({ error: { code: "validation_error", message } });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" +
      body,
    );
  }
  socket.destroy(error);
}
