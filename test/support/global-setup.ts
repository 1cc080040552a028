// Once per `vitest run`: one embedded data folder is created and migrated, and every test
// server copies it (test/server/harness.ts) instead of paying PGlite's initdb and the
// migrations again in each file (about 3 s a file).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { loadConfig } from "../../src/server/config.js";
import { openRuntime } from "../../src/server/runtime.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated PGlite pgdata folder to copy; absent when this setup did not run. */
    embeddedTemplate?: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), "niotebook-template-"));
  const runtime = await openRuntime(loadConfig({
    NIOTEBOOK_DATA_DIR: root, NIOTEBOOK_RATE_LIMIT: "off", NIOTEBOOK_JWT_SECRET: "template-secret-0123456789-0123456789",
  }));
  await runtime.close();
  project.provide("embeddedTemplate", join(root, "pgdata"));
  return () => rmSync(root, { recursive: true, force: true });
}
