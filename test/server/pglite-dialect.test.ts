// The embedded database's one session, shared in turn. PGlite runs statements synchronously, so
// the order of hand-overs decides whether the rest of the server (new connections, requests
// waiting to be read) gets the event loop while a queue of statements drains.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEmbedded, type DatabaseHandle } from "../../src/server/db/database.js";

describe("the PGlite dialect", () => {
  let dir: string;
  let database: DatabaseHandle;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "niotebook-pglite-"));
    database = await openEmbedded(dir);
  });
  afterAll(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Each statement takes about a millisecond of synchronous work.
  const busy = () => sql<{ n: number }>`SELECT count(*)::int AS n FROM generate_series(1, 20000)`.execute(database.db);

  it("runs queued statements one at a time, in the order they were asked for", async () => {
    const finished: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => busy().then(() => finished.push(i))));
    expect(finished).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("lets the event loop go round while a long queue drains", async () => {
    let statementsDone = 0;
    let doneWhenLoopRan = -1;
    const queue = Array.from({ length: 100 }, () => busy().then(() => statementsDone++));
    setImmediate(() => (doneWhenLoopRan = statementsDone));
    await Promise.all(queue);
    expect(statementsDone).toBe(100);
    // Handed over in microtasks alone, the whole queue (~100 ms) ran before the loop turned.
    expect(doneWhenLoopRan).toBeGreaterThanOrEqual(0);
    expect(doneWhenLoopRan).toBeLessThan(100);
  });
});
