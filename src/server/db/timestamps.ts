import pg from "pg";

// Timestamps stay text end to end (PostgreSQL formats them for the API): the drivers' parsers
// for date, timestamp and timestamptz are replaced by the identity.
export const asText = (value: string): string => value;
export const TIMESTAMP_OIDS = [1082, 1114, 1184];

/** pg's type parsers, but timestamps as PostgreSQL wrote them. */
export const pgTypes = {
  getTypeParser: (oid: number, format?: string) =>
    TIMESTAMP_OIDS.includes(oid) ? asText : pg.types.getTypeParser(oid, format as "text"),
};

// PostgreSQL's own text for a timestamptz (DateStyle ISO, the default): "2026-02-15 22:00:00.1234+00",
// trailing zeros of the fraction dropped, the session's offset at the end (hours, maybe minutes
// and seconds: "+05:30", LMT's "-00:01:15").
// In a zone east or west of UTC the local year of 9999-12-31 or 0001-01-01 is 10000 or 1 BC.
const PG_TIMESTAMPTZ = /^(\d{4,5})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?( BC)?$/;

/**
 * A timestamptz column's text as the contract writes it: RFC 3339 in UTC with exactly six
 * fractional digits. Formatting here instead of with to_char(… at time zone 'UTC') in each row
 * takes most of a page's execution time off the database (docs/benchmark.md); the digits are
 * PostgreSQL's own, never a JavaScript Date's, so the microseconds stay exact.
 */
export function utcTimestamp(text: string): string {
  const m = PG_TIMESTAMPTZ.exec(text);
  if (!m) throw new Error(`not a PostgreSQL timestamptz in DateStyle ISO: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac = "", sign, oh, om = "00", os = "00", bc] = m;
  const micro = frac.padEnd(6, "0");
  if (oh === "00" && om === "00" && os === "00" && bc === undefined && y!.length === 4) return `${y}-${mo}-${d}T${h}:${mi}:${s}.${micro}Z`;
  // An offset is whole seconds, so only the seconds move; the fraction stays as it is.
  const offset = (sign === "-" ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os));
  const date = new Date(0);
  // not Date.UTC, which reads years 0–99 as 1900–1999; 1 BC is year 0
  date.setUTCFullYear(bc === undefined ? Number(y) : 1 - Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s) - offset, 0);
  const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${micro}Z`;
}
