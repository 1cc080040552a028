import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // The long suites have their own commands: npm run test:faults, npm run test:load.
    exclude: ["test/faults/**", "test/load/**", "**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One migrated embedded data folder for the whole run, copied by each test server.
    globalSetup: ["test/support/global-setup.ts"],
    // The usual output, then a line saying whether PostgreSQL and Redis were tested.
    reporters: ["default", "./test/support/services-reporter.ts"],
  },
});
