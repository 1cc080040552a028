#!/usr/bin/env node
// Start-up times people feel, measured (never a timed test): the client's --version and
// --help through bin/niotebook.js (with and without Node's module compile cache) and through
// the single executable, and the server's time to a first /health 200 (npm start's
// bin/niotebook-server.js against the executable), on an empty data folder and on restart.
// Runs are interleaved so that a busy machine slows every variant alike; medians are printed.
//   node scripts/measure-startup.mjs [--runs N] [--server-runs N] [--exe PATH]...
// Needs `npm run build` and `npm run package` first.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argValues = (name) => process.argv.flatMap((a, i) => (a === name ? [process.argv[i + 1]] : []));
const runs = Number(argValues("--runs")[0] ?? 15);
const serverRuns = Number(argValues("--server-runs")[0] ?? 3);
const exes = argValues("--exe");
if (exes.length === 0) exes.push(join(root, "build", "package", "niotebook"));
for (const exe of exes) if (!existsSync(exe)) throw new Error(`${exe} is missing: npm run package`);
if (!existsSync(join(root, "dist", "client", "main.js"))) throw new Error("dist/ is missing: npm run build");

const work = mkdtempSync(join(tmpdir(), "niotebook-startup-"));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${Math.round(value)} ms`;
const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));
const baseEnv = { ...process.env, HOME: join(work, "home"), XDG_CONFIG_HOME: join(work, "config"), NIOTEBOOK_LOG_LEVEL: "warn" };

// Wall time, and CPU time (user + system, from /usr/bin/time when present): on a machine other
// work keeps busy the CPU time moves far less than the wall time.
const TIME = "/usr/bin/time";
const hasTime = existsSync(TIME);
const cpuFile = join(work, "cpu");
function timeOnce(file, args, env) {
  const started = performance.now();
  if (hasTime) execFileSync(TIME, ["-f", "%U %S", "-o", cpuFile, file, ...args], { env, stdio: "ignore" });
  else execFileSync(file, args, { env, stdio: "ignore" });
  const wall = performance.now() - started;
  const cpu = hasTime ? readFileSync(cpuFile, "utf8").trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0) * 1000 : NaN;
  return { wall, cpu };
}

// --- the client's quick paths ---
const compileCache = join(work, "compile-cache");
const clientVariants = [];
for (const args of [["--version"], ["--help"]]) {
  clientVariants.push({ name: `node bin/niotebook.js ${args[0]}`, file: process.execPath, args: [join(root, "bin", "niotebook.js"), ...args], env: baseEnv });
  clientVariants.push({ name: `  same, NODE_COMPILE_CACHE`, file: process.execPath, args: [join(root, "bin", "niotebook.js"), ...args], env: { ...baseEnv, NODE_COMPILE_CACHE: compileCache } });
  for (const exe of exes) clientVariants.push({ name: `${basename(dirname(exe))}/${basename(exe)} ${args[0]}`, file: exe, args, env: baseEnv });
}
const first = new Map(clientVariants.map((v) => [v.name + v.args.join(" "), timeOnce(v.file, v.args, v.env)]));
const later = new Map(clientVariants.map((v) => [v.name + v.args.join(" "), []]));
for (let i = 0; i < runs; i++) {
  for (const v of clientVariants) later.get(v.name + v.args.join(" ")).push(timeOnce(v.file, v.args, v.env));
}
console.log(`load average at start ${loadavg().map((l) => l.toFixed(1)).join(" ")}; ${runs} runs each, interleaved`);
for (const v of clientVariants) {
  const key = v.name + v.args.join(" ");
  const after = later.get(key);
  console.log(`${v.name.padEnd(44)} first ${ms(first.get(key).wall).padStart(7)} (cpu ${ms(first.get(key).cpu)})` +
    `  median after ${ms(median(after.map((t) => t.wall))).padStart(7)} (cpu ${ms(median(after.map((t) => t.cpu)))})`);
}

// --- the TUI: spawn to its first frame (the log-in screen, no stored session) on a terminal
// (util-linux `script` gives it one), against the server at --tui-server URL ---
const tuiServer = argValues("--tui-server")[0];
function firstPaint(file, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const command = [file, ...args].map((a) => `'${a}'`).join(" ");
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env: { ...env, TERM: "xterm-256color" }, stdio: ["pipe", "pipe", "ignore"] });
    let seen = "";
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`${command}: no frame within 60 s`)); }, 60_000);
    child.stdout.on("data", (chunk) => {
      seen += chunk.toString("utf8");
      if (seen.includes("Log in to niotebook")) {
        clearTimeout(timer);
        const t = performance.now() - started;
        child.once("exit", () => resolve(t));
        child.kill("SIGTERM");
      }
    });
  });
}
if (tuiServer) {
  const variants = [
    { name: "node bin/niotebook.js (TUI first frame)", file: process.execPath, args: [join(root, "bin", "niotebook.js"), "--server", tuiServer], env: baseEnv },
    { name: "  same, NODE_COMPILE_CACHE", file: process.execPath, args: [join(root, "bin", "niotebook.js"), "--server", tuiServer], env: { ...baseEnv, NODE_COMPILE_CACHE: compileCache } },
    ...exes.map((exe) => ({ name: `${basename(dirname(exe))}/${basename(exe)} (TUI first frame)`, file: exe, args: ["--server", tuiServer], env: baseEnv })),
  ];
  const times = variants.map(() => []);
  for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
    for (const [j, v] of variants.entries()) times[j].push(await firstPaint(v.file, v.args, v.env));
  }
  for (const [j, v] of variants.entries()) {
    console.log(`${v.name.padEnd(44)} first ${ms(times[j][0]).padStart(7)}  median after ${ms(median(times[j].slice(1))).padStart(7)}`);
  }
}

// --- the server: time from spawn to the first /health 200 ---
async function serverStart(file, args, dataDir, port) {
  const started = performance.now();
  const child = spawn(file, args, { env: { ...baseEnv, NIOTEBOOK_DATA_DIR: dataDir, NIOTEBOOK_PORT: String(port), NIOTEBOOK_HOST: "127.0.0.1" }, stdio: "ignore" });
  let exited = false;
  const gone = new Promise((resolve) => child.once("exit", () => { exited = true; resolve(); }));
  try {
    for (;;) {
      if (exited) throw new Error(`${file} ${args.join(" ")} exited while starting`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) });
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not yet
      }
      await sleep(20);
    }
  } finally {
    child.kill("SIGTERM");
    await gone;
  }
}
const servers = [
  { name: "npm start (node bin/niotebook-server.js)", file: process.execPath, args: [join(root, "bin", "niotebook-server.js")] },
  ...exes.map((exe) => ({ name: `${basename(dirname(exe))}/${basename(exe)} serve`, file: exe, args: ["serve"] })),
];
if (serverRuns > 0) {
  let port = 19_400 + Math.floor(Math.random() * 500);
  const results = servers.map(() => ({ empty: 0, restarts: [] }));
  for (const [i, s] of servers.entries()) results[i].empty = await serverStart(s.file, s.args, join(work, `data-${i}`), port++);
  for (let r = 0; r < serverRuns; r++) {
    for (const [i, s] of servers.entries()) results[i].restarts.push(await serverStart(s.file, s.args, join(work, `data-${i}`), port++));
  }
  console.log(`server, spawn to first /health 200 (load average now ${loadavg()[0].toFixed(1)}):`);
  for (const [i, s] of servers.entries()) {
    console.log(`${s.name.padEnd(48)} empty data folder ${ms(results[i].empty).padStart(8)}  restart median ${ms(median(results[i].restarts)).padStart(8)} (${results[i].restarts.map(ms).join(", ")})`);
  }
}
rmSync(work, { recursive: true, force: true });
