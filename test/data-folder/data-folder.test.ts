// The data folder's contract, shared by server and client: one path resolution, server.json,
// process liveness (a zombie holds nothing) and fsync'd atomic writes.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  dataFolderPath,
  isProcessAlive,
  processStartTime,
  readServerInfo,
  removeServerInfo,
  writeServerInfo,
} from "../../src/data-folder/index.js";
import { loadConfig } from "../../src/server/config.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const temp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "nb-data-folder-"));
  dirs.push(dir);
  return dir;
};

describe("dataFolderPath", () => {
  it("takes NIOTEBOOK_DATA_DIR, and treats a blank one as unset", () => {
    expect(dataFolderPath({ NIOTEBOOK_DATA_DIR: "/srv/nb", XDG_DATA_HOME: "/x" })).toBe("/srv/nb");
    expect(dataFolderPath({ NIOTEBOOK_DATA_DIR: "", XDG_DATA_HOME: "/x" })).toBe("/x/niotebook");
    expect(dataFolderPath({ NIOTEBOOK_DATA_DIR: "   ", XDG_DATA_HOME: "/x" })).toBe("/x/niotebook");
    expect(dataFolderPath({ XDG_DATA_HOME: " ", HOME: "/home/ada" })).toBe("/home/ada/.local/share/niotebook");
    expect(dataFolderPath({})).toBe(join(homedir(), ".local", "share", "niotebook"));
  });

  it("is what the server's configuration resolves", () => {
    for (const env of [{ NIOTEBOOK_DATA_DIR: "  ", XDG_DATA_HOME: "/x" }, { NIOTEBOOK_DATA_DIR: "/d" }]) {
      expect(loadConfig(env).dataDir).toBe(dataFolderPath(env));
    }
  });
});

describe("server.json", () => {
  it("is written private and whole, read back, and removed only by the process it names", () => {
    const dir = temp();
    expect(readServerInfo(dir)).toBeNull();
    writeServerInfo(dir, "http://127.0.0.1:9", 4242);
    expect(readServerInfo(dir)).toEqual({ pid: 4242, url: "http://127.0.0.1:9" });
    expect(statSync(join(dir, "server.json")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["server.json"]); // no temporary file left behind
    removeServerInfo(dir); // not ours
    expect(readServerInfo(dir)).not.toBeNull();
    removeServerInfo(dir, 4242);
    expect(readServerInfo(dir)).toBeNull();
  });

  it("is null when malformed", () => {
    const dir = temp();
    writeServerInfo(dir, "http://x", 1);
    const file = join(dir, "server.json");
    expect(readFileSync(file, "utf8")).toContain('"pid":1');
    rmSync(file);
    expect(readServerInfo(dir)).toBeNull();
  });
});

describe("isProcessAlive", () => {
  it("knows this process, and a reused PID (other start time) is not the one recorded", () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(process.pid, processStartTime(process.pid))).toBe(true);
    expect(isProcessAlive(process.pid, "1")).toBe(false);
  });

  it("a process that exited is dead", async () => {
    const child = spawn(process.execPath, ["-e", ""]);
    const pid = child.pid!;
    await new Promise((resolve) => child.once("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isProcessAlive(pid)).toBe(false);
  });

  it.skipIf(process.platform !== "linux")("a zombie (dead, not reaped) is dead", async () => {
    // `sleep 0` exits while its parent, exec'd into `sleep 5`, never reaps it.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(d.toString()))));
      const stateOf = (): string => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.charAt(0);
      const deadline = Date.now() + 5_000;
      while (stateOf() !== "Z" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stateOf()).toBe("Z");
      expect(() => process.kill(pid, 0)).not.toThrow(); // signal 0 alone would call it alive
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      parent.kill("SIGKILL");
    }
  });
});
