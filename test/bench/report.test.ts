// The benchmark's tables are drawn from its raw results (bench/report.ts): the run docs/benchmark.md
// cites must come out of its .json exactly as its committed .md says, so the table a reader
// trusts is the one the measurements give, and a change to the report cannot drift silently.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { report, type BenchResults } from "../../bench/report.ts";

const root = join(import.meta.dirname, "..", "..");

describe("the benchmark report", () => {
  it("re-renders the latest run docs/benchmark.md cites from its results file", () => {
    const cited = /Latest full run: `npm run bench` \(`(bench\/results\/[^`]+)\.md`/.exec(readFileSync(join(root, "docs", "benchmark.md"), "utf8"));
    expect(cited, "docs/benchmark.md names its latest run").not.toBeNull();
    const results = JSON.parse(readFileSync(join(root, `${cited![1]}.json`), "utf8")) as BenchResults;
    const rendered = report(results.meta, results.sections);
    expect(rendered.markdown).toBe(readFileSync(join(root, `${cited![1]}.md`), "utf8"));
    expect(rendered.targets).toEqual(results.targets);
  });
});
