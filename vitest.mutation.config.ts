// Mutation testing (npm run test:mutation): the pure rule, paging and rate-limit modules
// against their unit tests (the database-backed suites make each mutant cost seconds).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The suites that exercise the mutated modules (stryker.config.json) directly.
    include: ["test/server/units.test.ts", "test/server/rules.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
