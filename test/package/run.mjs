#!/usr/bin/env node
// npm run test:package: the single executable (npm run package) on its own. Builds it if
// needed, copies the file alone into an empty folder and runs it there with a PATH that holds
// no node and an empty HOME: --version; the server on the embedded database (any free port,
// a temporary data folder); register, post, read the timeline; SIGTERM; a restart that still
// has the user and the post. Exits 1 with the step that failed and the server's last lines.
//   node test/package/run.mjs [--restarts N]   (N further restarts, timed; default 2)
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const built = join(root, "build", "package", "niotebook");
const restartsArg = process.argv.indexOf("--restarts");
const extraRestarts = restartsArg > 0 ? Number(process.argv[restartsArg + 1]) : 2;
const START_TIMEOUT_MS = 180_000; // the first start creates the database (initdb) on a shared machine
const STOP_TIMEOUT_MS = 35_000; // the server's own grace for requests in flight is 30 s

const work = mkdtempSync(join(tmpdir(), "niotebook-package-"));
const dirs = { app: join(work, "app"), home: join(work, "home"), data: join(work, "data"), emptyPath: join(work, "empty-path"), other: join(work, "other") };
for (const dir of Object.values(dirs)) mkdirSync(dir);
const exe = join(dirs.app, "niotebook");
const logPath = join(work, "server.log");
let server = null;
let step = "build";

class Failure extends Error {}
function check(condition, message) {
  if (!condition) throw new Failure(message);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// Nothing from this machine's environment: no node on PATH, an empty HOME.
const env = { PATH: dirs.emptyPath, HOME: dirs.home, NIOTEBOOK_DATA_DIR: dirs.data, NIOTEBOOK_PORT: "0", NIOTEBOOK_HOST: "127.0.0.1", LANG: "C.UTF-8" };

function run(args, options = {}) {
  return execFileSync(options.file ?? exe, args, { env, cwd: dirs.app, encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] }).trim();
}

async function startServer() {
  const started = performance.now();
  const out = (await import("node:fs")).openSync(logPath, "a");
  const child = spawn(exe, ["serve"], { env, cwd: dirs.app, stdio: ["ignore", out, out] });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let exit = null;
  void exited.then((result) => (exit = result));
  server = { child, exited };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    check(exit === null, `the server exited while starting (${JSON.stringify(exit)})`);
    const info = readServerInfo();
    if (info && info.pid === child.pid) {
      try {
        const response = await fetch(`${info.url}/health`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) return { url: info.url, ms: performance.now() - started };
      } catch {
        // Not listening yet.
      }
    }
    await sleep(20);
  }
  throw new Failure(`no /health 200 within ${START_TIMEOUT_MS / 1000} s`);
}

function readServerInfo() {
  try {
    return JSON.parse(readFileSync(join(dirs.data, "server.json"), "utf8"));
  } catch {
    return null;
  }
}

async function stopServer() {
  const { child, exited } = server;
  child.kill("SIGTERM");
  const result = await Promise.race([exited, sleep(STOP_TIMEOUT_MS).then(() => null)]);
  server = null;
  if (result === null) {
    child.kill("SIGKILL");
    throw new Failure(`the server did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`);
  }
  check(result.code === 0, `the server stopped with ${JSON.stringify(result)} after SIGTERM, not exit code 0`);
  check(!existsSync(join(dirs.data, "server.json")), "the server left server.json behind after stopping");
}

async function api(url, method, path, body, token) {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Reported below with the status.
  }
  return { status: response.status, json, text };
}

try {
  step = "build";
  execFileSync(process.execPath, [join(root, "scripts", "package.mjs"), "--if-needed"], { stdio: "inherit" });
  copyFileSync(built, exe);
  execFileSync("chmod", ["755", exe]);
  check(readdirSync(dirs.app).join() === "niotebook", "the app folder holds more than the executable");
  const sizeMb = statSync(exe).size / 1024 / 1024;

  step = "--version";
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const firstVersion = performance.now();
  check(run(["--version"]) === `niotebook ${pkg.version}`, `niotebook --version did not print "niotebook ${pkg.version}"`);
  const firstVersionMs = performance.now() - firstVersion;
  check(run(["serve", "--version"]) === pkg.version, `niotebook serve --version did not print "${pkg.version}"`);
  symlinkSync(exe, join(dirs.other, "niotebook-server"));
  check(run(["--help"], { file: join(dirs.other, "niotebook-server") }).startsWith("niotebook-server "), "invoked as niotebook-server, --help is not the server's");
  check(run(["--help"]).startsWith("niotebook "), "niotebook --help is not the client's");

  step = "first start (empty data folder)";
  let { url, ms: firstStartMs } = await startServer();

  step = "register";
  const account = { username: "onefile", email: "onefile@example.com", password: "correct horse battery staple" };
  const registered = await api(url, "POST", "/auth/register", account);
  check(registered.status === 201 && registered.json?.tokens?.access_token, `register answered ${registered.status}: ${registered.text}`);
  const token = registered.json.tokens.access_token;

  step = "post";
  const content = `hello from one file ${Date.now()}`;
  const posted = await api(url, "POST", "/posts", { content }, token);
  check(posted.status === 201 && posted.json?.post?.id, `post answered ${posted.status}: ${posted.text}`);
  const postId = posted.json.post.id;

  step = "timeline";
  const timeline = await api(url, "GET", "/timeline", null, token);
  check(timeline.status === 200 && timeline.json?.posts?.[0]?.id === postId && timeline.json.posts[0].content === content,
    `the timeline does not start with the new post: ${timeline.status} ${timeline.text.slice(0, 300)}`);

  step = "stop (SIGTERM)";
  await stopServer();

  const restartMs = [];
  for (let i = 0; i <= extraRestarts; i++) {
    step = `restart ${i + 1}`;
    const started = await startServer();
    url = started.url;
    restartMs.push(started.ms);
    if (i === 0) {
      step = "data after restart";
      const login = await api(url, "POST", "/auth/login", { email: account.email, password: account.password });
      check(login.status === 200, `log-in after restart answered ${login.status}: ${login.text}`);
      const again = await api(url, "GET", "/timeline", null, login.json.tokens.access_token);
      check(again.status === 200 && again.json?.posts?.some((p) => p.id === postId && p.content === content),
        `the post is gone after the restart: ${again.status} ${again.text.slice(0, 300)}`);
    }
    step = `stop after restart ${i + 1}`;
    await stopServer();
  }

  const versionMs = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    run(["--version"]);
    versionMs.push(performance.now() - t);
  }
  const f = (ms) => `${Math.round(ms)} ms`;
  console.log(`test:package: passed — ${sizeMb.toFixed(1)} MB; /health 200 after ${f(firstStartMs)} on an empty data folder, ` +
    `after ${f(median(restartMs))} on restart (median of ${restartMs.length}: ${restartMs.map(f).join(", ")}); ` +
    `--version ${f(firstVersionMs)} first, ${f(median(versionMs))} after (median of ${versionMs.length})`);
} catch (error) {
  process.exitCode = 1;
  console.error(`test:package: FAILED at "${step}": ${error instanceof Failure ? error.message : (error?.stack ?? error)}`);
  if (existsSync(logPath)) {
    console.error("server log (last lines):");
    console.error(readFileSync(logPath, "utf8").trim().split("\n").slice(-15).join("\n"));
  }
} finally {
  if (server) {
    server.child.kill("SIGKILL");
    await server.exited;
  }
  rmSync(work, { recursive: true, force: true });
}
