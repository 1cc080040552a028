// Mutation testing (npm run test:mutation) runs the in-process server suites only: the
// process tests exercise the built bin, which Stryker's mutants never reach.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/server/*.test.ts"],
    exclude: ["test/server/process.test.ts", "test/server/compat.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
