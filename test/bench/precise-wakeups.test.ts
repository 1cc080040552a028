// The fixed-rate drivers (bench/load.ts, bench/ceiling-db.ts) take their schedule from
// pacedSlots, which sleeps between due instants with preciseWakeups: a wake-up must never come
// before the instant asked for, on the caller's own clock, and every slot of a run must be
// handed out in order, none early, the last one included
// (with due instants read on the worker's performance.now(), ~1 ms off the caller's, a driver
// waited forever for its last slot).
import { describe, expect, it } from "vitest";
import { pacedSlots, preciseWakeups } from "../../bench/lib.ts";

describe("preciseWakeups", () => {
  it("wakes the caller no earlier than asked, fractions of a millisecond included", async () => {
    const asked = [0.3, 1.5, 0, 0.05, 2.2];
    const late: number[] = [];
    await new Promise<void>((resolve) => {
      let k = 0, at = 0;
      const next = () => {
        if (k === asked.length) return void sleeper.stop().then(() => resolve());
        at = performance.now() + asked[k++]!;
        sleeper.wakeAt(at);
      };
      const sleeper = preciseWakeups(() => {
        late.push(performance.now() - at);
        next();
      });
      next();
    });
    expect(late).toHaveLength(asked.length);
    // The two clocks are lined up by reading both once; that reading is good to a microsecond.
    for (const l of late) expect(l).toBeGreaterThanOrEqual(-0.002);
  });

  it("paces a run to its last slot, none before it is due", async () => {
    const interval = 2;
    const start = performance.now() + 20;
    const end = start + 100;
    const taken: Array<{ due: number; at: number }> = [];
    let batches = 0;
    await pacedSlots(start, interval, end, (due, at) => taken.push({ due, at }), () => batches++);
    expect(taken.map((t) => t.due)).toEqual(Array.from({ length: 50 }, (_, k) => start + k * interval));
    for (const { due, at } of taken) expect(at).toBeGreaterThanOrEqual(due);
    expect(batches).toBeGreaterThan(1);
  });
});
