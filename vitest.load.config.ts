// npm run test:load: 500-connection load and a steady soak against PostgreSQL.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["test/load/**/*.test.ts"], pool: "forks", fileParallelism: false, testTimeout: 1_200_000, hookTimeout: 300_000 },
});
