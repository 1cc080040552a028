// The data folder's contract, shared by the server (which owns the folder) and the client's
// `niotebook local` (which reads it): where it is, server.json, whether a recorded process
// still runs, and how files in it are written. Imports nothing of ours, like src/api.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** An environment variable, with a blank value (`NIOTEBOOK_DATA_DIR=`) counted as unset. */
function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** NIOTEBOOK_DATA_DIR, else $XDG_DATA_HOME/niotebook, else ~/.local/share/niotebook. */
export function dataFolderPath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = setting(env, "NIOTEBOOK_DATA_DIR");
  if (explicit !== undefined) return explicit;
  const base = setting(env, "XDG_DATA_HOME") ?? join(setting(env, "HOME") ?? homedir(), ".local", "share");
  return join(base, "niotebook");
}

/** Write-then-rename with fsync: a crash leaves the old file or the new one, never half of one. */
export function writeFileAtomic(path: string, data: string, mode = 0o600): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** When the process started (Linux: /proc/PID/stat's starttime), to tell a reused PID apart. */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** The process runs: its PID answers signal 0, it is not a zombie (dead, not yet reaped,
 * holding nothing), and where `start` is known it is the same process, not a reused PID. */
export function isProcessAlive(pid: number, start?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(pid);
  if (stat === undefined) return true; // no /proc: signal 0 is all we can know
  if (stat[0] === "Z" || stat[0] === "X") return false;
  return !start || stat[19] === start;
}

export interface ServerInfo {
  pid: number;
  url: string;
}

const SERVER_INFO = "server.json";

/** Where the running server listens, or null when server.json is missing or malformed. */
export function readServerInfo(dataDir: string): ServerInfo | null {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, SERVER_INFO), "utf8")) as Partial<ServerInfo>;
    return typeof info.pid === "number" && typeof info.url === "string" ? { pid: info.pid, url: info.url } : null;
  } catch {
    return null;
  }
}

export function writeServerInfo(dataDir: string, url: string, pid = process.pid): void {
  writeFileAtomic(join(dataDir, SERVER_INFO), JSON.stringify({ pid, url }) + "\n", 0o600);
}

/** Removes server.json only if it names `pid`: another server may have replaced it. */
export function removeServerInfo(dataDir: string, pid = process.pid): void {
  if (readServerInfo(dataDir)?.pid === pid) rmSync(join(dataDir, SERVER_INFO), { force: true });
}
