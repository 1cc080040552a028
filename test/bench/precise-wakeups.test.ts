// The fixed-rate drivers (bench/load.ts, bench/ceiling-db.ts) sleep between due instants with
// preciseWakeups: a wake-up must never come before the instant asked for, on the caller's own
// clock, and a driver built on it must hand out every slot of a run, the last one included
// (with due instants read on the worker's performance.now(), ~1 ms off the caller's, a driver
// waited forever for its last slot).
import { describe, expect, it } from "vitest";
import { preciseWakeups } from "../../bench/lib.ts";

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
    await new Promise<void>((resolve) => {
      let sent = 0;
      const tick = () => {
        const now = performance.now();
        for (; start + sent * interval <= now && start + sent * interval < end; sent++) taken.push({ due: start + sent * interval, at: now });
        if (start + sent * interval >= end) void sleeper.stop().then(() => resolve());
        else sleeper.wakeAt(start + sent * interval);
      };
      const sleeper = preciseWakeups(tick);
      tick();
    });
    expect(taken).toHaveLength(50);
    for (const { due, at } of taken) expect(at).toBeGreaterThanOrEqual(due);
  });
});
