// reusableQuery compiles a statement once per shape and then only swaps the values in. What
// must hold: the statement and parameters are exactly what Kysely compiles from the real values,
// for every shape and whatever order the values are emitted in; a value computed inside the
// builder is refused rather than frozen into every later run. (Execution against real databases
// is covered by the paging and users tests, which go through the timeline and user pages.)
import {
  DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql,
} from "kysely";
import { describe, expect, it } from "vitest";
import { reusableQuery } from "../../src/server/db/reusable-query.js";

/** The one table these statements read. */
interface TestDb {
  posts: { id: string; content: string; author_id: string; author_name: string; editor: string; created_at: string };
}

/** Kysely that compiles PostgreSQL and never connects: these tests only compile. */
function compileOnly(): Kysely<TestDb> {
  return new Kysely<TestDb>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

type Shape = { by: "id" | "name"; newestFirst: boolean };
type Values = { limit: number; who: string; since: string };

// The values object lists limit first, but the statement uses `since` and `who` before it, and
// `who` twice.
const build = (db: Kysely<TestDb>, s: Shape, v: Values) => db.selectFrom("posts").select(["id", "content"])
  .where(s.by === "id" ? sql<boolean>`author_id = ${v.who}` : sql<boolean>`author_name = ${v.who}`)
  .where(sql<boolean>`created_at > ${v.since}::timestamptz`)
  .where(sql<boolean>`editor <> ${v.who}`)
  .orderBy("created_at", s.newestFirst ? "desc" : "asc")
  .limit(v.limit);

describe("reusableQuery", () => {
  it("gives the statement and parameters Kysely compiles from the real values, for every shape", () => {
    const db = compileOnly();
    const query = reusableQuery((s: Shape) => `${s.by}:${s.newestFirst}`, build);
    const cases: Array<[Shape, Values]> = [
      [{ by: "id", newestFirst: true }, { limit: 51, who: "u1", since: "2026-01-01T00:00:00Z" }],
      [{ by: "id", newestFirst: true }, { limit: 11, who: "u2", since: "2026-02-01T00:00:00Z" }],
      [{ by: "name", newestFirst: true }, { limit: 3, who: "alice", since: "2026-03-01T00:00:00Z" }],
      [{ by: "id", newestFirst: false }, { limit: 7, who: "u3", since: "2026-04-01T00:00:00Z" }],
      [{ by: "name", newestFirst: true }, { limit: 5, who: "bob", since: "2026-05-01T00:00:00Z" }],
    ];
    for (const [shape, values] of cases) {
      const fresh = build(db, shape, values).compile();
      const reused = query.compile(db, shape, values);
      expect(reused.sql).toBe(fresh.sql);
      expect(reused.parameters).toEqual(fresh.parameters);
    }
    expect(query.compile(db, cases[0]![0], cases[0]![1]).parameters).toEqual(["u1", "2026-01-01T00:00:00Z", "u1", 51]);
  });

  it("builds each shape once", () => {
    const db = compileOnly();
    let builds = 0;
    const query = reusableQuery((s: Shape) => `${s.by}:${s.newestFirst}`, (d: Kysely<TestDb>, s, v: Values) => (builds++, build(d, s, v)));
    for (let i = 0; i < 5; i++) query.compile(db, { by: "id", newestFirst: true }, { limit: i + 1, who: `u${i}`, since: "2026-01-01T00:00:00Z" });
    query.compile(db, { by: "name", newestFirst: true }, { limit: 1, who: "x", since: "2026-01-01T00:00:00Z" });
    expect(builds).toBe(2);
    // Another database handle compiles for itself.
    query.compile(compileOnly(), { by: "id", newestFirst: true }, { limit: 1, who: "y", since: "2026-01-01T00:00:00Z" });
    expect(builds).toBe(3);
  });

  it("refuses a value computed inside the builder, which every later run would repeat", () => {
    const db = compileOnly();
    const query = reusableQuery(() => "one", (d: Kysely<TestDb>, _s: null, v: { limit: number }) =>
      d.selectFrom("posts").select("id").limit((v.limit as number) + 1));
    expect(() => query.compile(db, null, { limit: 50 })).toThrow(/is not one of the values/);
  });
});
