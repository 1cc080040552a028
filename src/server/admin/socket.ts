// The admin socket: how `niotebook-server admin` acts on an embedded database while its
// server runs (only one process may open it). A Unix socket in the data folder, mode 0600 in
// a folder of mode 0700: reachable only by the folder's owner, never from the network — the
// same people who could open the database themselves when the server is stopped.
// Protocol: one HTTP POST / with {"argv": [...], "actor": "..."}; the answer is an AdminResult.
import { chmodSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { join } from "node:path";
import type { AppContext } from "../context.js";
import { runAdminCommand, type AdminResult, type AdminTarget } from "./commands.js";

const MAX_REQUEST_BYTES = 64 * 1024;

export function adminSocketPath(dataDir: string): string {
  return join(dataDir, "admin.sock");
}

export function serverAdminTarget(ctx: AppContext): AdminTarget {
  return {
    db: ctx.db,
    userChanged: (userId) => ctx.knownUsers.deleted(userId),
    postsChanged: () => ctx.timelineChanged(),
  };
}

/** Listens on the data folder's admin socket; the caller holds the folder's lock. */
export async function startAdminSocket(dataDir: string, ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const path = adminSocketPath(dataDir);
  // A socket file left by a server that died: ours to replace, since we hold the lock.
  rmSync(path, { force: true });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      void (async () => {
        let result: AdminResult;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { argv?: unknown; actor?: unknown };
          if (!Array.isArray(body.argv) || !body.argv.every((a) => typeof a === "string") || typeof body.actor !== "string") {
            throw new Error("bad admin request");
          }
          result = await runAdminCommand(body.argv as string[], serverAdminTarget(ctx), body.actor.slice(0, 100));
        } catch (error) {
          result = { code: 1, stdout: "", stderr: `niotebook-server admin: the server could not carry it out: ${(error as Error).message}\n` };
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Sends a command to the running server's admin socket. */
export function sendToAdminSocket(dataDir: string, argv: string[], actor: string): Promise<AdminResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: adminSocketPath(dataDir), method: "POST", path: "/", headers: { "content-type": "application/json" }, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as AdminResult);
        } catch (error) {
          reject(error as Error);
        }
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("the server did not answer within 60 s")));
    req.on("error", reject);
    req.end(JSON.stringify({ argv, actor }));
  });
}
