// The embedded database's data folder: created private (0700), guarded by a lock file holding
// the owner's PID and start time so two processes never open one PGlite at once, and home of
// the generated JWT secret (0600) and of server.json, which tells clients where the running
// server listens.
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

export class DataDirInUseError extends Error {
  constructor(readonly pid: number) {
    super(`data folder in use by process ${pid}`);
  }
}

/** When the process started (Linux: /proc/PID/stat's starttime), to tell a reused PID apart. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

interface Owner {
  pid: number;
  /** Absent in a lock written without /proc (or by an older version). */
  start?: string;
}

/** Linux: the process has exited but its parent has not collected it yet (state Z); it holds nothing. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/** The owner still runs: its PID is alive and, where that can be told, is the same process. */
function isAlive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // kill -9 of a process group, then an immediate restart: the old server may not be reaped yet.
  if (isZombie(owner.pid)) return false;
  const start = owner.start && startTimeOf(owner.pid);
  return !start || start === owner.start; // a PID reused since a crash is not the owner
}

function readOwner(file: string): Owner | undefined {
  try {
    const [pidText, start] = readFileSync(file, "utf8").trim().split(/\s+/);
    const pid = Number.parseInt(pidText ?? "", 10);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return start ? { pid, start } : { pid };
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  release(): void;
}

/** Takes the folder's lock or throws DataDirInUseError naming the live owner. */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockFile = join(dataDir, "niotebook.lock");
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(lockFile, "wx", 0o600);
      writeSync(fd, `${process.pid} ${startTimeOf(process.pid) ?? ""}\n`);
      closeSync(fd);
      return {
        release() {
          if (readOwner(lockFile)?.pid === process.pid) rmSync(lockFile, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = readOwner(lockFile);
    if (owner !== undefined && owner.pid !== process.pid && isAlive(owner)) throw new DataDirInUseError(owner.pid);
    // The owner is dead (or the file is half-written by a crash). Move the stale lock aside
    // under a name of our own, and only delete it if it is still the stale one: a process
    // that took the lock meanwhile must not lose it.
    const aside = `${lockFile}.stale.${process.pid}`;
    try {
      renameSync(lockFile, aside);
    } catch {
      continue;
    }
    const moved = readOwner(aside);
    if (moved === undefined || (moved.pid === owner?.pid && moved.start === owner.start) || !isAlive(moved)) {
      rmSync(aside, { force: true });
    } else {
      renameSync(aside, lockFile);
      throw new DataDirInUseError(moved.pid);
    }
  }
  throw new Error(`could not take the lock on ${lockFile}`);
}

/** The JWT secret for the embedded setup: generated on first start, kept with mode 0600. */
export function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, "jwt-secret");
  try {
    const secret = readFileSync(file, "utf8").trim();
    if (secret.length >= 32) return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = randomBytes(48).toString("base64url");
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${secret}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return secret;
}

export function writeServerInfo(dataDir: string, url: string): void {
  const file = join(dataDir, "server.json");
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, url }) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeServerInfo(dataDir: string): void {
  const file = join(dataDir, "server.json");
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as { pid?: number };
    if (info.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // Nothing of ours to remove.
  }
}
