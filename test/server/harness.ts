// Builds the real app on a real database for tests: PGlite in a temporary folder always, and
// a fresh PostgreSQL database per run when NIOTEBOOK_TEST_DB_URL points at a server.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { inject } from "vitest";
import { buildApp } from "../../src/server/app.js";
import { loadConfig, type Config } from "../../src/server/config.js";
import { createAppContext, type AppContext } from "../../src/server/context.js";
import { openRuntime, type Runtime } from "../../src/server/runtime.js";
import type { App } from "../../src/server/http/types.js";
import type { AuthResponse } from "../../src/api/index.js";
import { createTestDatabase } from "../support/server-process.js";

export type Backend = "embedded" | "postgres";

/** The backends this run covers: embedded always, PostgreSQL when configured. */
export const BACKENDS: Backend[] = process.env.NIOTEBOOK_TEST_DB_URL ? ["embedded", "postgres"] : ["embedded"];

export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";

export interface TestServer {
  app: App;
  ctx: AppContext;
  runtime: Runtime;
  backend: Backend;
  close(): Promise<void>;
}

export async function startTestServer(
  backend: Backend,
  env: Record<string, string> = {},
  options: { logStream?: NodeJS.WritableStream } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "niotebook-test-"));
  // A copy of the run's migrated template (test/support/global-setup.ts) starts in a fraction
  // of the time initdb and the migrations take; without it, the server makes its own.
  const template = inject("embeddedTemplate");
  if (backend === "embedded" && template && !env.NIOTEBOOK_DB_URL) cpSync(template, join(dataDir, "pgdata"), { recursive: true });
  const pgdb = backend === "postgres" ? await createTestDatabase(process.env.NIOTEBOOK_TEST_DB_URL!) : undefined;
  const config: Config = loadConfig({
    NIOTEBOOK_DATA_DIR: dataDir,
    NIOTEBOOK_RATE_LIMIT: "off",
    NIOTEBOOK_JWT_SECRET: TEST_SECRET,
    ...(pgdb ? { NIOTEBOOK_DB_URL: pgdb.url } : {}),
    ...env,
  });
  const runtime = await openRuntime(config);
  const ctx = createAppContext(config, runtime.database, runtime.jwtSecret);
  const app = await buildApp(ctx, options.logStream ? { logger: { level: "trace", stream: options.logStream } } : {});
  return {
    app, ctx, runtime, backend,
    async close() {
      await app.close();
      await runtime.close();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Method = "GET" | "POST" | "PATCH" | "DELETE" | "PUT" | "OPTIONS" | "HEAD";

/** A small client over inject that speaks JSON, as any client of the API would. */
export class TestClient {
  constructor(readonly app: App, public token?: string) {}

  request(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method,
      url,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
  }

  get(url: string) { return this.request("GET", url); }
  post(url: string, body?: unknown) { return this.request("POST", url, body); }
  patch(url: string, body?: unknown) { return this.request("PATCH", url, body); }
  delete(url: string) { return this.request("DELETE", url); }

  as(token: string | undefined): TestClient {
    return new TestClient(this.app, token);
  }
}

let counter = 0;
/** Registers a fresh user and returns a client acting as them. */
export async function signUp(app: App, name?: string, password = "password123"): Promise<{ client: TestClient; auth: AuthResponse; password: string; email: string }> {
  const username = name ?? `user${process.pid % 1000}x${counter++}`;
  const email = `${username.toLowerCase()}@example.com`;
  const res = await new TestClient(app).post("/api/v1/auth/register", { username, email, password });
  if (res.statusCode !== 201) throw new Error(`register ${username}: ${res.statusCode} ${res.body}`);
  const auth = res.json() as AuthResponse;
  return { client: new TestClient(app, auth.tokens.access_token), auth, password, email };
}

/** Asserts the contract's error envelope and returns the error. */
export function errorOf(res: LightMyRequestResponse): { code: string; message: string; field?: string } {
  const body = res.json() as { error: { code: string; message: string; field?: string } };
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== "error") throw new Error(`not an error envelope: ${res.body}`);
  if (typeof body.error.message !== "string" || body.error.message.length === 0) throw new Error(`no message: ${res.body}`);
  return body.error;
}

/** Retries an assertion until it holds or `withinMs` has passed (then its last failure is thrown). */
export async function eventually(assertion: () => unknown, withinMs = 2_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
