import { describe, expect, it } from "vitest";
import { formatJoined, formatRelativeTime } from "../../src/client/text/relative-time.js";

const now = new Date(2026, 1, 20, 12, 0, 0); // Feb 20 2026, local time
const ago = (ms: number): Date => new Date(now.getTime() - ms);
const MIN = 60_000;

describe("formatRelativeTime", () => {
  it.each([
    [0, "now"],
    [59_000, "now"],
    [5 * MIN, "5m"],
    [59 * MIN, "59m"],
    [3 * 60 * MIN, "3h"],
    [2 * 24 * 60 * MIN, "2d"],
    [6 * 24 * 60 * MIN, "6d"],
    [7 * 24 * 60 * MIN, "1w"],
    [3 * 7 * 24 * 60 * MIN, "3w"],
  ])("%i ms ago → %s", (ms, expected) => {
    expect(formatRelativeTime(ago(ms), now)).toBe(expected);
  });

  it("shows the date for older posts this year, and the year for another year", () => {
    expect(formatRelativeTime(new Date(2026, 0, 15, 9), now)).toBe("Jan 15");
    expect(formatRelativeTime(new Date(2025, 0, 15, 9), now)).toBe("Jan 15, 2025");
  });

  it("treats a timestamp slightly in the future as now", () => {
    expect(formatRelativeTime(new Date(now.getTime() + 5_000), now)).toBe("now");
  });

  it("accepts the API's microsecond timestamps", () => {
    const stamp = new Date(now.getTime() - 5 * MIN).toISOString().replace("Z", "123Z");
    expect(formatRelativeTime(stamp, now)).toBe("5m");
  });

  it("formats the join date", () => {
    expect(formatJoined(new Date(2026, 1, 3).toISOString())).toBe("Joined Feb 2026");
  });
});
