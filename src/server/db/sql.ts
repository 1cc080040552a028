import { sql, type RawBuilder } from "kysely";

/**
 * A timestamptz column as the contract's RFC 3339 text (UTC, six fractional digits),
 * formatted by PostgreSQL so the microseconds are exact.
 */
export function isoTimestamp(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
