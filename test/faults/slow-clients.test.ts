// Slow clients: a request trickling in byte by byte is cut off by the contract's timeouts
// (headers 10 s, whole request 15 s) instead of holding a socket forever. 2x margins.
import { connect } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, startServerProcess, tempDataDir } from "../support/server-process.js";

afterAll(removeTempDirs);

function trickle(port: number, head: string, every: string): Promise<{ closedAfterMs: number; answer: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = "";
    const socket = connect(port, "127.0.0.1", () => socket.write(head));
    const timer = setInterval(() => socket.writable && socket.write(every), 500);
    socket.on("data", (d) => (answer += d));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - started, answer: answer.split("\r\n")[0] ?? "" });
    });
    setTimeout(() => socket.destroy(), 60_000);
  });
}

describe("slow clients", () => {
  it("are cut off after 10 s of trickling headers and 15 s of trickling body", async () => {
    const server = await startServerProcess({ NIOTEBOOK_DATA_DIR: tempDataDir() });
    const port = Number(new URL(server.url).port);
    try {
      const [headers, body] = await Promise.all([
        trickle(port, "GET /api/v1/timeline HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n"),
        trickle(port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3000\r\n\r\n{", " "),
      ]);
      console.log(`slow headers cut after ${headers.closedAfterMs} ms (${headers.answer}); slow body after ${body.closedAfterMs} ms (${body.answer})`);
      expect(headers.closedAfterMs).toBeGreaterThanOrEqual(9_000);
      expect(headers.closedAfterMs).toBeLessThanOrEqual(20_000);
      expect(body.closedAfterMs).toBeGreaterThanOrEqual(14_000);
      expect(body.closedAfterMs).toBeLessThanOrEqual(30_000);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);
});
