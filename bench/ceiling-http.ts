// The two HTTP ceilings: `node bench/ceiling-http.ts <config.json>`; prints "READY <port>" on
// stderr once listening. Its stdout goes where the real server's stdout goes (a log file).
//
// mode "http":      a bare node:http server answering every request with the bytes (body and
//                   headers) of a real first timeline page captured from the server.
// mode "essential": the same, but first it verifies the request's HS256 access token with
//                   node:crypto (signature, alg, exp, claims — what the server checks, minus
//                   the database) and writes the same JSON log line the server writes per
//                   request, through an asynchronous writer like pino's default destination.
//                   That is the work no implementation can skip.
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync, write } from "node:fs";
import { createServer } from "node:http";
import { hostname } from "node:os";

interface CeilingConfig {
  mode: "http" | "essential";
  bodyFile: string;
  headers: Record<string, string>;
  secret: string;
}

const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as CeilingConfig;
const body = readFileSync(config.bodyFile);
const headers = { ...config.headers, "content-length": String(body.length) };
const key = Buffer.from(config.secret);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const unauthorized = Buffer.from(JSON.stringify({ error: { code: "unauthorized", message: "Invalid access token" } }));

function verify(authorization: string | undefined): boolean {
  const match = authorization ? /^Bearer +(\S+) *$/i.exec(authorization) : null;
  if (!match) return false;
  const parts = match[1]!.split(".");
  if (parts.length !== 3) return false;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, "base64url").toString()) as { alg?: unknown };
    if (header.alg !== "HS256") return false;
    const expected = createHmac("sha256", key).update(`${h}.${p}`).digest();
    const signature = Buffer.from(s, "base64url");
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return false;
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    const now = Date.now() / 1000;
    return typeof claims.sub === "string" && UUID.test(claims.sub) && typeof claims.username === "string" &&
      typeof claims.iat === "number" && typeof claims.exp === "number" && claims.exp > now;
  } catch {
    return false;
  }
}

// pino's default destination: SonicBoom on fd 1, asynchronous, writing whatever accumulated
// while the previous write was in flight.
let pending = "";
let writing = false;
function flush(): void {
  writing = true;
  const chunk = pending;
  pending = "";
  write(1, chunk, () => {
    writing = false;
    if (pending) flush();
  });
}
function log(line: string): void {
  pending += line;
  if (!writing) flush();
}

const pid = process.pid;
const host = hostname();
let nextReqId = 1;

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (config.mode === "http") {
    res.writeHead(200, headers);
    res.end(body);
    return;
  }
  const started = performance.now();
  const reqId = `req-${(nextReqId++).toString(36)}`;
  const ok = verify(req.headers.authorization);
  const status = ok ? 200 : 401;
  if (ok) {
    res.writeHead(200, headers);
    res.end(body);
  } else {
    res.writeHead(401, { "content-type": "application/json; charset=utf-8", "content-length": String(unauthorized.length) });
    res.end(unauthorized);
  }
  log(JSON.stringify({
    level: 30, time: Date.now(), pid, hostname: host, reqId, method: req.method, route: "/api/v1/timeline", path: "/api/v1/timeline", status,
    duration_ms: Math.round((performance.now() - started) * 100) / 100, ip: req.socket.remoteAddress, msg: "request",
  }) + "\n");
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stderr.write(`READY ${typeof address === "object" && address ? address.port : 0}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
