// The fixed-rate drivers (bench/load.ts, bench/ceiling-db.ts) take each request's due instant
// from pacedTicks: every slot of the run must be handed out, the last one included (a missed
// final wake-up left a driver waiting forever), and none before it is due.
import { describe, expect, it } from "vitest";
import { pacedTicks } from "../../bench/lib.ts";

describe("pacedTicks", () => {
  it("wakes the caller until every slot is due, never before its time", async () => {
    const interval = 2;
    const start = performance.now() + 20;
    const end = start + 100;
    const taken: Array<{ due: number; at: number }> = [];
    let sent = 0;
    await new Promise<void>((resolve) => {
      const ticker = pacedTicks(start, interval, end, () => {
        const now = performance.now();
        for (; start + sent * interval <= now && start + sent * interval < end; sent++) taken.push({ due: start + sent * interval, at: now });
        if (start + sent * interval >= end) void ticker.stop().then(() => resolve());
      });
    });
    expect(taken).toHaveLength(50);
    for (const { due, at } of taken) expect(at).toBeGreaterThanOrEqual(due);
  });
});
