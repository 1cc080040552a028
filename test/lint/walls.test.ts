// The import walls are enforced by the project's own ESLint configuration: code that crosses one
// fails the lint, code that stays on its side passes. Linted as text under the path it would have.
import { join } from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root }); // the project's own eslint.config.js
});

async function wallErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result!.messages.filter((m) => m.ruleId === "niotebook/walls").map((m) => m.message);
}

describe("the import walls", () => {
  it.each([
    ["src/api/fixture.ts", `import { loadConfig } from "../server/config.js";\nexport const c = loadConfig;`],
    ["src/api/fixture.ts", `export { HELP_TEXT } from "../client/cli/args.js";`],
    ["src/api/fixture.ts", `import { x } from "../../test/server/harness.js";\nexport const y = x;`],
    ["src/server/posts/fixture.ts", `import { theme } from "../../client/theme.js";\nexport const t = theme;`],
    ["src/server/fixture.ts", `export * from "../client/api-client.js";`],
    ["src/client/views/fixture.tsx", `import type { Config } from "../../server/config.js";\nexport type C = Config;`],
    ["src/client/fixture.ts", `export const load = () => import("../server/main.js");`],
    ["src/data-folder/fixture.ts", `import { lockDataDir } from "../server/db/data-dir.js";\nexport const l = lockDataDir;`],
    ["src/data-folder/fixture.ts", `import { x } from "../client/config/paths.js";\nexport const y = x;`],
  ])("refuses %s: %s", async (path, code) => {
    const errors = await wallErrors(path, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/may not import from/);
  });

  it.each([
    ["src/api/fixture.ts", `import { POST_MAX } from "./limits.js";\nimport { Type } from "@sinclair/typebox";\nexport const a = [POST_MAX, Type];`],
    ["src/server/posts/fixture.ts", `import { POST_MAX } from "../../api/index.js";\nimport { sql } from "../db/sql.js";\nexport const a = [POST_MAX, sql];`],
    ["src/client/views/fixture.tsx", `import { POST_MAX } from "../../api/index.js";\nimport { x } from "../../data-folder/index.js";\nexport const a = [POST_MAX, x];`],
    ["src/server/fixture.ts", `import { x } from "./data-folder/index.js";\nimport { y } from "../data-folder/index.js";\nexport const a = [x, y];`],
    ["src/data-folder/fixture.ts", `import { POST_MAX } from "../api/index.js";\nexport const a = POST_MAX;`],
    ["test/server/fixture.ts", `import { buildApp } from "../../src/server/app.js";\nimport { theme } from "../../src/client/theme.js";\nexport const a = [buildApp, theme];`],
  ])("allows %s: %s", async (path, code) => {
    expect(await wallErrors(path, code)).toEqual([]);
  });
});
