// Closes the run's summary with what the server tests ran against, so a plain `npm test`
// without PostgreSQL or Redis says so instead of passing quietly with those tests skipped.
// (In CI, .ci/run requires both: this line is then only a record.)
import type { Reporter } from "vitest/node";

export function servicesSummary(env: NodeJS.ProcessEnv = process.env): string[] {
  const pg = env.NIOTEBOOK_TEST_DB_URL;
  const redis = env.NIOTEBOOK_TEST_REDIS_URL;
  const where = (url: string) => {
    try {
      return new URL(url).host;
    } catch {
      return "(unparsable URL)";
    }
  };
  return [
    pg ? `PostgreSQL: ${where(pg)} — pg tests ran` : "PostgreSQL: not configured (NIOTEBOOK_TEST_DB_URL) — pg tests skipped",
    redis ? `Redis: ${where(redis)} — shared rate-limit tests ran` : "Redis: not configured (NIOTEBOOK_TEST_REDIS_URL) — multi-worker test skipped",
  ];
}

export default class ServicesReporter implements Reporter {
  onTestRunEnd(): void {
    process.stdout.write(`\n${servicesSummary().map((line) => `   ${line}`).join("\n")}\n`);
  }
}
