// The embedded database's data folder: created private (0700), guarded by a lock file holding
// the owner's PID and start time so two processes never open one PGlite at once, and home of
// the generated JWT secret (0600) and of server.json, which tells clients where the running
// server listens.
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive, processStartTime, writeFileAtomic } from "../../data-folder/index.js";

export class DataDirInUseError extends Error {
  constructor(readonly pid: number) {
    super(`data folder in use by process ${pid}`);
  }
}

interface Owner {
  pid: number;
  /** Absent in a lock written without /proc (or by an older version). */
  start?: string;
}

/** The owner still runs (a PID reused since a crash, or a zombie, is not the owner). */
const isAlive = (owner: Owner): boolean => isProcessAlive(owner.pid, owner.start);

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
      writeSync(fd, `${process.pid} ${processStartTime(process.pid) ?? ""}\n`);
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
  writeFileAtomic(file, `${secret}\n`, 0o600);
  return secret;
}

// server.json: where the running server listens (the contract lives in src/data-folder).
export { removeServerInfo, writeServerInfo } from "../../data-folder/index.js";
