// What each way of starting the client loads (docs/startup.md): the client bundle is built in
// memory with npm run build's own options, and the files a start reads (an entry and what it
// imports statically) must hold only what that start uses. --help and --version load no
// command code; `niotebook whoami` (the script commands) loads the API client and the session
// files but not Ink or React; the TUI loads no TypeBox schemas (api/index.js re-exports them)
// and nothing of the server.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs build script, without type declarations
import { clientBundleOptions } from "../../scripts/bundle-client.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
let meta: Metafile;

beforeAll(async () => {
  const options = (clientBundleOptions as (root: string, outdir: string) => object)(root, join(root, "dist", "bundle", "client"));
  meta = (await build({ ...options, metafile: true, write: false, logLevel: "silent" })).metafile;
}, 60_000);

/** The outputs read when `file` is imported: it and its static imports, transitively. */
function loadedWith(file: string): string[] {
  const seen = new Set<string>();
  const visit = (out: string): void => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const i of meta.outputs[out]!.imports) if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  visit(file);
  return [...seen];
}
/** The source files inside those outputs. */
function inputsOf(outputs: string[]): string[] {
  return outputs.flatMap((out) => Object.keys(meta.outputs[out]!.inputs));
}
/** The output whose own entry (a dynamic import()'s target) is the given source file. */
function chunkFor(source: string): string {
  const found = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === source);
  if (!found) throw new Error(`no chunk starts at ${source}: ${Object.values(meta.outputs).map((o) => o.entryPoint).join(", ")}`);
  return found[0];
}
const packages = (inputs: string[]): Set<string> =>
  new Set(inputs.flatMap((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? []));

describe("what a start of the client loads", () => {
  it("--help and --version: no package and none of the command or TUI code", () => {
    const inputs = inputsOf(loadedWith(chunkFor("src/client/main.tsx")));
    expect([...packages(inputs)]).toEqual([]);
    expect(inputs.filter((i) => i.includes("src/client/app/") || i.includes("src/client/cli/commands/"))).toEqual([]);
    expect(inputs).toContain("src/client/cli/args.ts");
  });

  it("the script commands (whoami): the API client and session store, no Ink, React or TypeBox", () => {
    const inputs = inputsOf(loadedWith(chunkFor("src/client/cli/commands/run.ts")));
    expect(inputs).toContain("src/client/api-client.ts");
    expect(inputs).toContain("src/client/config/session-store.ts");
    expect([...packages(inputs)]).toEqual([]);
  });

  it("the TUI: Ink and React, but no TypeBox schemas and nothing of the server", () => {
    const inputs = inputsOf(loadedWith(chunkFor("src/client/app/run-tui.tsx")));
    const used = packages(inputs);
    expect(used).toContain("ink");
    expect(used).toContain("react");
    expect(used).not.toContain("@sinclair/typebox");
    expect(inputs.filter((i) => i.startsWith("src/server/") || i === "src/api/schemas.ts")).toEqual([]);
  });
});
