#!/usr/bin/env node
// Checks the systemd unit in docs/deploy.md (the ```ini block after "<!-- unit:
// niotebook.service -->") with `systemd-analyze verify`, and fails on anything it says about
// the unit: it only warns, with exit code 0, about an unknown or misspelt setting, which is how
// a hardening line silently stops hardening. Prints `systemd-analyze security`'s exposure.
// Without systemd-analyze it says so and exits 0 (the check cannot run, it did not fail).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const UNIT = "niotebook.service";
const INSTALLED_PATH = "/usr/local/bin/niotebook";

function fail(message) {
  console.error(`deploy unit: FAILED: ${message}`);
  process.exit(1);
}

const doc = readFileSync(join(root, "docs", "deploy.md"), "utf8");
const match = new RegExp(`<!-- unit: ${UNIT.replace(".", "\\.")} -->\\s*\`\`\`ini\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
if (!match) fail(`docs/deploy.md has no \`\`\`ini block after <!-- unit: ${UNIT} -->`);
const unit = match[1];
for (const needed of ["DynamicUser=yes", "StateDirectory=niotebook", "ProtectSystem=strict", "NoNewPrivileges=yes", `ExecStart=${INSTALLED_PATH} serve`]) {
  if (!unit.split("\n").includes(needed)) fail(`the unit lacks the line ${needed}`);
}

try {
  execFileSync("systemd-analyze", ["--version"], { stdio: "ignore" });
} catch {
  console.log("deploy unit: skipped, systemd-analyze is not installed (apt-get install systemd)");
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), "niotebook-unit-"));
try {
  // verify checks that ExecStart's program exists and is executable: the unit is checked as
  // written but pointing at a stand-in for the installed file.
  const standIn = join(work, "niotebook");
  writeFileSync(standIn, "#!/bin/sh\nexit 0\n");
  chmodSync(standIn, 0o755);
  const unitPath = join(work, UNIT);
  writeFileSync(unitPath, `${unit.replaceAll(INSTALLED_PATH, standIn)}\n`);

  const verify = spawnSync("systemd-analyze", ["verify", unitPath], { encoding: "utf8" });
  const said = `${verify.stdout}${verify.stderr}`.split("\n").filter((line) => line.includes(UNIT));
  if (verify.status !== 0 || said.length > 0) {
    fail(`systemd-analyze verify (exit ${verify.status}):\n${said.join("\n") || verify.stderr}`);
  }
  const security = spawnSync("systemd-analyze", ["security", "--offline=true", unitPath], { encoding: "utf8" });
  const exposure = /Overall exposure level for \S+: (.*)/.exec(`${security.stdout}${security.stderr}`)?.[1] ?? "(not reported by this systemd)";
  const version = execFileSync("systemd-analyze", ["--version"], { encoding: "utf8" }).split("\n")[0];
  console.log(`deploy unit: systemd-analyze verify found nothing to say (${version}); security exposure ${exposure}`);
} finally {
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}
