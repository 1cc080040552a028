// Start-up times people wait for, measured (never a timed test): `niotebook whoami` from spawn
// to exit, and the TUI from spawn to a painted timeline (a stored session, on a pseudo-terminal
// from util-linux `script`, until a known post's text is on the screen), for
//   bin (dist)    node bin/niotebook.js with NIOTEBOOK_UNBUNDLED=1 (tsc's files),
//   bin (bundle)  node bin/niotebook.js (dist/bundle/client, npm run build makes it),
//   single file   build/package/niotebook (npm run package),
// each cold (Node's compile cache emptied before every run; for the single file, whose code
// cache is inside it, the first run after the build) and warm; and the server's spawn to first
// /health 200 for npm start against the single file, on an empty data folder and on restart.
// Runs are interleaved, so a busy machine slows every variant alike; medians and p90 printed.
//   npm run build && npm run package && npm run bench:startup -- [--runs N] [--server-runs N]
//     [--before DIR]   also measure another checkout's bin/ and build/package/ (before/after;
//                      its server too with --before-servers)
//     [--json FILE]    write the raw samples
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { freePort, median, NODE, percentile, ROOT, sleep, stopChild, usageOf, waitForHealth } from "./lib.ts";

const argv = process.argv.slice(2);
if (argv.some((a) => a === "--help" || a === "-h")) {
  console.log(usageOf(import.meta.url));
  process.exit(0);
}
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const RUNS = Number(option("--runs") ?? 10);
const SERVER_RUNS = Number(option("--server-runs") ?? 3);
const BEFORE = option("--before");
const JSON_OUT = option("--json");
const TIME = "/usr/bin/time";

const roots: { label: string; dir: string }[] = [{ label: "", dir: resolve(ROOT) }];
if (BEFORE) roots.unshift({ label: "before: ", dir: resolve(BEFORE) });
for (const { dir } of roots) {
  if (!existsSync(join(dir, "bin", "niotebook.js"))) throw new Error(`${dir}/bin/niotebook.js is missing`);
}
if (!existsSync(join(ROOT, "dist", "server", "main.js"))) throw new Error("dist/ is missing: npm run build");

const work = mkdtempSync(join(tmpdir(), "niotebook-bench-startup-"));
const loadBefore = loadavg();

// ── a server with one user, a stored session and a post whose text the TUI must show ────────
const port = await freePort();
const serverUrl = `http://127.0.0.1:${port}`;
const server = spawn(NODE, [join(ROOT, "bin", "niotebook-server.js")], {
  env: { ...process.env, NIOTEBOOK_DATA_DIR: join(work, "server-data"), NIOTEBOOK_PORT: String(port), NIOTEBOOK_HOST: "127.0.0.1", NIOTEBOOK_LOG_LEVEL: "warn", NIOTEBOOK_RATE_LIMIT: "off" },
  stdio: "ignore",
});
const clientEnv: NodeJS.ProcessEnv = {
  ...process.env,
  HOME: join(work, "home"),
  XDG_CONFIG_HOME: join(work, "config"),
  TERM: "xterm-256color",
  NIOTEBOOK_LOG_LEVEL: "warn",
};
delete clientEnv.NIOTEBOOK_SERVER;
delete clientEnv.NODE_COMPILE_CACHE;
delete clientEnv.NODE_OPTIONS;
const MARKER = `startup bench ${randomUUID().slice(0, 8)}`;
try {
  await waitForHealth(serverUrl, 120_000, server);
  const password = "correct horse battery staple";
  const register = await fetch(`${serverUrl}/api/v1/auth/register`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "starter", email: "starter@example.com", password }),
  });
  if (register.status !== 201) throw new Error(`register: ${register.status} ${await register.text()}`);
  const { tokens } = (await register.json()) as { tokens: { access_token: string } };
  const posted = await fetch(`${serverUrl}/api/v1/posts`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${tokens.access_token}` },
    body: JSON.stringify({ content: MARKER }),
  });
  if (posted.status !== 201) throw new Error(`post: ${posted.status} ${await posted.text()}`);
  // As a user would: the server in config.yaml, then `niotebook login` (the session in auth.json).
  mkdirSync(join(work, "config", "niotebook"), { recursive: true });
  writeFileSync(join(work, "config", "niotebook", "config.yaml"), `server_url: ${serverUrl}\n`);
  const login = await runOnce(NODE, [join(ROOT, "bin", "niotebook.js"), "login", "--email", "starter@example.com"], clientEnv, `${password}\n`);
  if (login.code !== 0) throw new Error(`niotebook login exited ${login.code}`);
} catch (error) {
  await stopChild(server);
  throw error;
}

// ── the variants ─────────────────────────────────────────────────────────────────────────────
interface Variant {
  name: string;
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** A folder for Node's compile cache: emptied before a cold run. Absent: the single file. */
  cache?: string;
}
const variants: Variant[] = [];
for (const { label, dir } of roots) {
  const bin = join(dir, "bin", "niotebook.js");
  const cache = (name: string): string => join(work, `cache-${variants.length}-${name}`);
  variants.push({ name: `${label}bin (dist)`, file: NODE, args: [bin], env: { ...clientEnv, NIOTEBOOK_UNBUNDLED: "1", NODE_COMPILE_CACHE: cache("dist") }, cache: cache("dist") });
  if (existsSync(join(dir, "dist", "bundle", "client", "niotebook.js"))) {
    variants.push({ name: `${label}bin (bundle)`, file: NODE, args: [bin], env: { ...clientEnv, NODE_COMPILE_CACHE: cache("bundle") }, cache: cache("bundle") });
  }
  const exe = join(dir, "build", "package", "niotebook");
  if (existsSync(exe)) variants.push({ name: `${label}single file`, file: exe, args: [], env: clientEnv });
}

// ── measuring ────────────────────────────────────────────────────────────────────────────────
interface Once { wall: number; cpu: number; code: number | null }
/** Spawn to exit; CPU time (user + system) from /usr/bin/time when it is there. */
function runOnce(file: string, args: string[], env: NodeJS.ProcessEnv, input = ""): Promise<Once> {
  const cpuFile = join(work, `cpu-${randomUUID()}`);
  const timed = existsSync(TIME);
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = timed
      ? spawn(TIME, ["-f", "%U %S", "-o", cpuFile, file, ...args], { env, stdio: ["pipe", "ignore", "ignore"] })
      : spawn(file, args, { env, stdio: ["pipe", "ignore", "ignore"] });
    child.stdin.end(input);
    child.once("error", fail);
    child.once("exit", (code) => {
      const wall = performance.now() - started;
      let cpu = NaN;
      if (timed && existsSync(cpuFile)) {
        const fields = readFileSync(cpuFile, "utf8").trim().split("\n").pop()!.split(/\s+/).map(Number);
        cpu = (fields[0]! + fields[1]!) * 1000;
        rmSync(cpuFile);
      }
      done({ wall, cpu, code });
    });
  });
}

/** Spawn to the first frame with the marker post on a pseudo-terminal; then the TUI is stopped. */
function firstPaint(v: Variant): Promise<number> {
  const command = [v.file, ...v.args].map((a) => `'${a}'`).join(" ");
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env: v.env, stdio: ["pipe", "pipe", "ignore"] });
    let screen = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`${v.name}: no timeline within 60 s; the screen ended with ${JSON.stringify(screen.slice(-400))}`));
    }, 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      if (screen.includes(MARKER)) return;
      screen += chunk.toString("utf8");
      if (!screen.includes(MARKER)) return;
      const t = performance.now() - started;
      clearTimeout(timer);
      // q quits; SIGTERM (which the client also ends on) if it is not listening yet.
      child.stdin.write("q");
      const kill = setTimeout(() => child.kill("SIGTERM"), 2_000);
      child.once("exit", () => {
        clearTimeout(kill);
        done(t);
      });
    });
  });
}

const coldReady = (v: Variant): void => {
  if (v.cache) rmSync(v.cache, { recursive: true, force: true });
};
interface Samples { whoamiCold: Once[]; whoamiWarm: Once[]; tuiCold: number[]; tuiWarm: number[] }
const samples = new Map<Variant, Samples>(variants.map((v) => [v, { whoamiCold: [], whoamiWarm: [], tuiCold: [], tuiWarm: [] }]));
const whoami = async (v: Variant): Promise<Once> => {
  const r = await runOnce(v.file, [...v.args, "whoami"], v.env);
  if (r.code !== 0) throw new Error(`${v.name} whoami exited ${r.code}`);
  return r;
};

// The single file's first run after its build counts as its cold run, so it comes first.
for (const v of variants) if (!v.cache) samples.get(v)!.whoamiCold.push(await whoami(v));
for (const v of variants) if (!v.cache) samples.get(v)!.tuiCold.push(await firstPaint(v));
for (let i = 0; i < RUNS; i++) {
  for (const v of variants) {
    const s = samples.get(v)!;
    if (v.cache) {
      coldReady(v);
      s.whoamiCold.push(await whoami(v));
    }
    s.whoamiWarm.push(await whoami(v));
  }
}
for (let i = 0; i < RUNS; i++) {
  for (const v of variants) {
    const s = samples.get(v)!;
    if (v.cache) {
      coldReady(v);
      s.tuiCold.push(await firstPaint(v));
    }
    s.tuiWarm.push(await firstPaint(v));
  }
}
await stopChild(server);

// ── the server: spawn to first /health 200, empty data folder and restart ─────────────────────
interface ServerVariant { name: string; file: string; args: string[]; empty: number[]; restart: number[] }
// This checkout's only (--before-servers: the other's too); an empty data folder's first start
// runs initdb, tens of seconds on a busy machine.
const servers: ServerVariant[] = [];
for (const { label, dir } of argv.includes("--before-servers") ? roots : roots.filter((r) => r.label === "")) {
  servers.push({ name: `${label}npm start`, file: NODE, args: [join(dir, "bin", "niotebook-server.js")], empty: [], restart: [] });
  const exe = join(dir, "build", "package", "niotebook");
  if (existsSync(exe)) servers.push({ name: `${label}single file serve`, file: exe, args: ["serve"], empty: [], restart: [] });
}
async function serverStart(s: ServerVariant, dataDir: string): Promise<number> {
  const p = await freePort();
  const started = performance.now();
  const child = spawn(s.file, s.args, {
    env: { ...process.env, NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_PORT: String(p), NIOTEBOOK_HOST: "127.0.0.1", NIOTEBOOK_LOG_LEVEL: "warn" },
    stdio: "ignore",
  });
  try {
    // Polled every 20 ms (waitForHealth's 150 ms would round a start up by as much).
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${s.name} exited while starting`);
      const ok = await fetch(`http://127.0.0.1:${p}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
      if (ok) return performance.now() - started;
      if (performance.now() - started > 120_000) throw new Error(`${s.name}: not healthy within 120 s`);
      await sleep(20);
    }
  } finally {
    await stopChild(child);
  }
}
for (let r = 0; r < SERVER_RUNS; r++) {
  for (const [i, s] of servers.entries()) {
    const dataDir = join(work, `data-${i}-${r}`);
    s.empty.push(await serverStart(s, dataDir));
    s.restart.push(await serverStart(s, dataDir));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const loadAfter = loadavg();

// ── report ───────────────────────────────────────────────────────────────────────────────────
const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)}` : "–");
const stat = (xs: number[]): string => {
  if (xs.length === 0) return "–";
  if (xs.length === 1) return `${ms(xs[0]!)} (1 run)`;
  return `${ms(median(xs))} / ${ms(percentile([...xs].sort((a, b) => a - b), 90))}`;
};
const sizeOf = (path: string): number => (existsSync(path) ? statSync(path).size : NaN);
const dirSize = (path: string): number =>
  existsSync(path) ? readdirSync(path).filter((f) => f.endsWith(".js")).reduce((sum, f) => sum + statSync(join(path, f)).size, 0) : NaN;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}; ${RUNS} runs each, interleaved; ms, median / p90`);
console.log("");
console.log("| variant | whoami cold | whoami warm | (whoami CPU warm) | TUI first paint cold | TUI first paint warm |");
console.log("|---|---|---|---|---|---|");
for (const v of variants) {
  const s = samples.get(v)!;
  console.log(`| ${v.name} | ${stat(s.whoamiCold.map((o) => o.wall))} | ${stat(s.whoamiWarm.map((o) => o.wall))} | ${ms(median(s.whoamiWarm.map((o) => o.cpu)))} | ${stat(s.tuiCold)} | ${stat(s.tuiWarm)} |`);
}
console.log("");
console.log(`| server, spawn to first /health 200 | empty data folder | restart |`);
console.log("|---|---|---|");
for (const s of servers) console.log(`| ${s.name} | ${stat(s.empty)} | ${stat(s.restart)} |`);
console.log("");
for (const { label, dir } of roots) {
  console.log(`${label}single file ${mb(sizeOf(join(dir, "build", "package", "niotebook")))}; ` +
    `client bundle ${mb(dirSize(join(dir, "dist", "bundle", "client")))} (dist/bundle/client/*.js)`);
}
if (JSON_OUT) {
  writeFileSync(JSON_OUT, JSON.stringify({
    loadBefore, loadAfter, runs: RUNS,
    variants: variants.map((v) => ({ name: v.name, ...samples.get(v) })),
    servers: servers.map(({ name, empty, restart }) => ({ name, empty, restart })),
  }, null, 2));
}
rmSync(work, { recursive: true, force: true });
await sleep(0);
