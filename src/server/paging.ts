// Keyset paging over (created_at, id), newest first. A cursor is opaque to clients: the last
// post's microsecond timestamp and id, base64url-encoded. RFC 3339 timestamps are accepted
// too ("posts strictly before this instant"), as the original server's cursors were.
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from "../api/index.js";
import { validation } from "./http/errors.js";
import { isUuid } from "./ids.js";

export type Cursor =
  | { kind: "after"; createdAt: string; id: string }
  /** inclusive: the instant fell strictly inside `before`'s microsecond. */
  | { kind: "before"; before: string; inclusive: boolean };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * Validates an RFC 3339 timestamp and returns it in UTC with at most six fractional digits,
 * plus whether digits beyond the sixth were dropped. In UTC because RFC 3339 allows offsets up
 * to ±23:59 and PostgreSQL refuses those beyond ±15:59.
 */
export function parseTimestamp(text: string): { value: string; truncated: boolean } | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMinutes = 0;
  if (zone!.length > 1) {
    const [zh, zm] = zone!.slice(1).split(":").map(Number);
    if (zh! > 23 || zm! > 59) return null;
    offsetMinutes = (zone![0] === "-" ? -1 : 1) * (zh! * 60 + zm!);
  }
  const micro = frac.slice(0, 6).padEnd(6, "0");
  const truncated = /[1-9]/.test(frac.slice(6));
  return { value: `${utcSeconds(year, month, day, Number(h), Number(mi) - offsetMinutes, Number(s))}.${micro}Z`, truncated };
}

/** "YYYY-MM-DDTHH:MM:SS" in UTC, held to years 1–9999: no post is older or newer than those. */
function utcSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): string {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0–99 as 1900–1999
  date.setUTCHours(hour, minute, second, 0);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1) return "0001-01-01T00:00:00";
  if (utcYear > 9999) return "9999-12-31T23:59:59";
  const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
  return `${pad(utcYear, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString("base64url");
}

export function parseCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined || raw === "") return undefined;
  const time = parseTimestamp(raw);
  if (time) return { kind: "before", before: time.value, inclusive: time.truncated };
  if (/^[A-Za-z0-9_-]+$/.test(raw)) {
    const [createdAt, id, ...rest] = Buffer.from(raw, "base64url").toString("utf8").split("|");
    const parsed = createdAt ? parseTimestamp(createdAt) : null;
    if (parsed && !parsed.truncated && id && isUuid(id) && rest.length === 0) {
      return { kind: "after", createdAt: parsed.value, id };
    }
  }
  throw validation("cursor", "cursor must be a next_cursor from a previous page or an RFC 3339 timestamp");
}

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return PAGE_LIMIT_DEFAULT;
  // Decimal digits only; leading zeros are fine however many (Go's strconv.Atoi, the original's parser, agrees).
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= PAGE_LIMIT_MAX)) throw validation("limit", `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}`);
  return n;
}

/** Turns limit+1 fetched rows into a page with an exact has_more. */
export function toPage<T extends { id: string; created_at: string }>(rows: T[], limit: number) {
  const has_more = rows.length > limit;
  const posts = has_more ? rows.slice(0, limit) : rows;
  const last = posts[posts.length - 1];
  // Key order as the contract writes it (and the original sends it): posts, next_cursor, has_more.
  return { posts, next_cursor: has_more && last ? encodeCursor(last.created_at, last.id) : null, has_more };
}
