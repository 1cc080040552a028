// Backups of the embedded database: `niotebook-server backup FILE` and `restore FILE`.
//
// A backup is consistent while the server runs: the process that owns PGlite takes it, between
// two transactions (it holds the one connection, as a transaction would), after a CHECKPOINT,
// with PGlite's dumpDataDir — a gzipped tar of pgdata. The command asks the running server for
// it through POST /_niotebook/backup, which answers only connections from this machine that
// carry a token derived from the data folder's JWT secret (readable only by its owner). With
// no server running, the command takes the folder's lock and dumps it itself.
//
// A restore needs the folder to itself (the lock: the server stopped) and an empty pgdata:
// it never overwrites a database.
import { createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readServerInfo } from "../data-folder/index.js";
import type { Config } from "./config.js";
import { createPGlite } from "./db/embedded.js";
import { lockDataDir } from "./db/data-dir.js";
import type { FeaturePlugin } from "./http/plugin.js";

export const BACKUP_PATH = "/_niotebook/backup";
const BACKUP_TIMEOUT_MS = 10 * 60_000;

export class BackupError extends Error {}

/** The bearer token of the backup route: only who can read the JWT secret can make it. */
export function backupToken(jwtSecret: string): string {
  return createHmac("sha256", jwtSecret).update("niotebook-server backup v1").digest("base64url");
}

/** The data folder as a gzipped tar, taken between transactions by the process that owns it. */
export const backupPlugin: FeaturePlugin = async (app, { ctx }) => {
  const backup = ctx.database.backup;
  if (!backup) return; // PostgreSQL: pg_dump does this (docs/operating.md)
  app.post(BACKUP_PATH, { schema: { hide: true } }, async (request, reply) => {
    // The secret the runtime signs tokens with: the configured one, else the data folder's.
    let expected: Buffer;
    try {
      expected = Buffer.from(backupToken(readSecret(ctx.config)));
    } catch {
      expected = Buffer.alloc(0);
    }
    const socket = request.raw.socket;
    const local = socket.remoteAddress !== undefined &&
      (/^(127\.|::1$|::ffff:127\.)/.test(socket.remoteAddress) || socket.remoteAddress === socket.localAddress);
    const given = Buffer.from(/^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "");
    if (!local || expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply.code(403).send({ error: { code: "forbidden", message: "Backups are taken from the server's own machine, with its data folder's secret" } });
    }
    const archive = await backup();
    return reply.header("content-type", "application/gzip").send(Buffer.from(archive));
  });
};

/** Writes FILE through a temporary file and a rename: a failed backup leaves no half file. */
function writeWhole(file: string, data: Uint8Array): void {
  const temp = `${file}.partial-${process.pid}`;
  try {
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

function readSecret(config: Config): string {
  if (config.jwtSecret) return config.jwtSecret;
  try {
    return readFileSync(join(config.dataDir, "jwt-secret"), "utf8").trim();
  } catch {
    throw new BackupError(`cannot read ${join(config.dataDir, "jwt-secret")}: run the backup as the server's user`);
  }
}

/** Dumps an open PGlite between statements, after a checkpoint (less to replay on restore). */
export async function dumpPGlite(pglite: { query(sql: string): Promise<unknown>; dumpDataDir(compression?: "gzip" | "none" | "auto"): Promise<Blob> }): Promise<Uint8Array> {
  await pglite.query("CHECKPOINT");
  return new Uint8Array(await (await pglite.dumpDataDir("gzip")).arrayBuffer());
}

/** `niotebook-server backup FILE`: returns what it did, in one line. */
export async function backupCommand(config: Config, file: string): Promise<string> {
  if (config.dbUrl) throw new BackupError("backup is for the embedded database; on PostgreSQL use pg_dump (docs/operating.md, Backups)");
  if (!existsSync(join(config.dataDir, "pgdata"))) throw new BackupError(`no database in ${config.dataDir}`);
  const info = readServerInfo(config.dataDir);
  let lock;
  try {
    lock = lockDataDir(config.dataDir);
  } catch {
    lock = null; // in use: by the running server, asked below
  }
  if (lock) {
    try {
      const pglite = await createPGlite(config.dataDir);
      try {
        const archive = await dumpPGlite(pglite);
        writeWhole(file, archive);
        return `backed up ${config.dataDir} (server stopped) to ${file}: ${archive.byteLength} bytes`;
      } finally {
        await pglite.close();
      }
    } finally {
      lock.release();
    }
  }
  if (!info) throw new BackupError(`${config.dataDir} is in use, but server.json does not say where its server listens`);
  let response: Response;
  try {
    response = await fetch(`${info.url}${BACKUP_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${backupToken(readSecret(config))}` },
      signal: AbortSignal.timeout(BACKUP_TIMEOUT_MS),
    });
  } catch (error) {
    throw new BackupError(`cannot reach the running server at ${info.url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new BackupError(`the running server refused the backup (${response.status}): ${body?.error?.message ?? response.statusText}`);
  }
  const archive = new Uint8Array(await response.arrayBuffer());
  writeWhole(file, archive);
  return `backed up ${config.dataDir} (from the running server, process ${info.pid}) to ${file}: ${archive.byteLength} bytes`;
}

/** `niotebook-server restore FILE`: into a data folder with no database, the server stopped. */
export async function restoreCommand(config: Config, file: string): Promise<string> {
  if (config.dbUrl) throw new BackupError("restore is for the embedded database; on PostgreSQL use pg_restore (docs/operating.md, Backups)");
  let archive: Buffer;
  try {
    archive = readFileSync(file);
  } catch (error) {
    throw new BackupError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (archive[0] !== 0x1f || archive[1] !== 0x8b) throw new BackupError(`${file} is not a niotebook-server backup (not gzip)`);
  const lock = lockDataDir(config.dataDir); // throws DataDirInUseError while a server runs
  const pgdata = join(config.dataDir, "pgdata");
  try {
    if (existsSync(pgdata) && readdirSync(pgdata).length > 0) {
      throw new BackupError(`${config.dataDir} already holds a database: restore into an empty data folder (NIOTEBOOK_DATA_DIR)`);
    }
    let pglite;
    try {
      const { PGlite } = await import("@electric-sql/pglite");
      pglite = await PGlite.create(pgdata, { loadDataDir: new Blob([archive]) });
      await pglite.query("select 1");
    } catch (error) {
      rmSync(pgdata, { recursive: true, force: true });
      throw new BackupError(`${file} could not be restored: ${(error as Error).message}`);
    }
    await pglite.close();
    return `restored ${file} into ${config.dataDir}`;
  } finally {
    lock.release();
  }
}
