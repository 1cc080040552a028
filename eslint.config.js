// ESLint for the whole project, run by `npm run lint` and so by `npm test`: typescript-eslint's
// recommended rules, React's rules of hooks for the client, and the walls between src/api,
// src/server, src/client and src/data-folder (eslint/walls.js). Without type information: tsc
// checks types already, and the type-aware rules cost ~3x the time (measured 84 s against 34 s).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";
import walls from "./eslint/walls.js";

// The Node globals the plain JavaScript files use; add one here when a script needs it.
const nodeGlobals = Object.fromEntries(
  ["process", "console", "Buffer", "URL", "setTimeout", "clearTimeout", "performance", "fetch", "AbortSignal", "global"].map((name) => [
    name,
    "readonly",
  ]),
);

export default tseslint.config(
  { ignores: ["dist/", "build/", "node_modules/", "bench/results/", "reports/", ".stryker-tmp/", "coverage/", "eslint/fixtures/"] },
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
    // Plain JavaScript (bin/, scripts/, test/package/, this file, eslint/) runs on Node: its globals
    // are declared here (the `globals` package is not installed) rather than in every file.
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: nodeGlobals },
  },
);
