// Card timestamps: "now", "5m", "3h", "2d", "3w", then "Jan 15", or "Jan 15, 2025" for
// another year (dates in the viewer's local time zone).
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

export function formatRelativeTime(timestamp: string | Date, now: Date = new Date()): string {
  const then = typeof timestamp === "string" ? new Date(timestamp) : timestamp;
  const age = now.getTime() - then.getTime();
  if (Number.isNaN(age)) return "";
  if (age < MINUTE) return "now"; // includes small clock skew into the future
  if (age < HOUR) return `${Math.floor(age / MINUTE)}m`;
  if (age < DAY) return `${Math.floor(age / HOUR)}h`;
  if (age < WEEK) return `${Math.floor(age / DAY)}d`;
  if (age < 4 * WEEK) return `${Math.floor(age / WEEK)}w`;
  const day = `${MONTHS[then.getMonth()]} ${then.getDate()}`;
  return then.getFullYear() === now.getFullYear() ? day : `${day}, ${then.getFullYear()}`;
}

/** "Joined Feb 2026" on profiles. */
export function formatJoined(timestamp: string): string {
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return "";
  return `Joined ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}
