// The backends a fault test runs on: the embedded database always, PostgreSQL when
// NIOTEBOOK_TEST_DB_URL names a server. Each gives a fresh environment for one server.
import { createTestDatabase, tempDataDir, TEST_JWT_SECRET } from "../support/server-process.js";

export type FaultBackend = "embedded" | "postgres";
export const FAULT_BACKENDS: FaultBackend[] = process.env.NIOTEBOOK_TEST_DB_URL ? ["embedded", "postgres"] : ["embedded"];

export async function freshEnvironment(backend: FaultBackend): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  if (backend === "embedded") return { env: { NIOTEBOOK_DATA_DIR: tempDataDir() }, cleanup: async () => {} };
  const db = await createTestDatabase(process.env.NIOTEBOOK_TEST_DB_URL!);
  return { env: { NIOTEBOOK_DB_URL: db.url, NIOTEBOOK_JWT_SECRET: TEST_JWT_SECRET }, cleanup: db.drop };
}
