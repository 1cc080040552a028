// The benchmark's fixed-rate tail is read per window (bench/lib.ts): a stall must land in the
// window it happened in, and samples outside the recorded span must not count.
import { describe, expect, it } from "vitest";
import { WindowedLatencies } from "../../bench/lib.ts";

describe("WindowedLatencies", () => {
  it("puts each sample in the window of its time and gives each window its own p99", () => {
    const w = new WindowedLatencies(6_000, 3);
    for (let t = 0; t < 6_000; t += 10) w.push(t, 1);
    // A 40 ms stall in the middle window: 20 slow answers out of 200 there.
    for (let t = 2_500; t < 2_700; t += 10) w.push(t, 40);
    expect(w.p99s()).toEqual([1, 40, 1]);
  });

  it("ignores samples before and after the recorded span", () => {
    const w = new WindowedLatencies(2_000, 2);
    w.push(-1, 500);
    w.push(2_000, 500);
    for (let t = 0; t < 2_000; t += 100) w.push(t, 3);
    expect(w.p99s()).toEqual([3, 3]);
  });

  it("is one window when no count is given", () => {
    const w = new WindowedLatencies(1_000);
    for (let k = 1; k <= 100; k++) w.push(k * 5, k);
    expect(w.p99s()).toEqual([99]);
  });
});
