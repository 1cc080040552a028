// ESLint for the whole project, run by `npm run lint` and so by `npm test`: typescript-eslint's
// recommended rules, React's rules of hooks for the client, and the walls between src/api,
// src/server, src/client and src/data-folder (eslint/walls.js). Without type information: tsc
// checks types already, and the type-aware rules cost ~3x the time (measured 84 s against 34 s).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";
import walls from "./eslint/walls.js";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "bench/results/", "reports/", ".stryker-tmp/", "coverage/", "eslint/fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { niotebook: walls },
    rules: {
      "niotebook/walls": "error",
      // `_name` marks a parameter or binding kept on purpose (a callback's shape, a skipped tuple slot).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["src/client/**/*.{ts,tsx}", "test/client/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // Plain JavaScript (bin/, this file, eslint/) runs on Node: its globals are known.
    files: ["**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" } },
  },
);
