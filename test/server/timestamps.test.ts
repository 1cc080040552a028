// The contract's timestamp text (api-v1.md: RFC 3339, UTC, exactly six fractional digits) is
// now written by utcTimestamp from PostgreSQL's own text instead of by to_char in each row.
// These pin it to what to_char wrote, on both databases and under any session TimeZone.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { utcTimestamp } from "../../src/server/db/timestamps.js";
import { createTestDatabase } from "../support/server-process.js";

const TO_CHAR = `to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

// Microseconds of every width (trailing zeros are dropped in PostgreSQL's text), none at all,
// day, month, year and leap-day boundaries, and the range's ends.
const INSTANTS = [
  "2026-02-15 22:00:00.123456+00", "2026-02-15 22:00:00+00", "2026-02-15 22:00:00.1+00", "2026-02-15 22:00:00.12+00",
  "2026-02-15 22:00:00.000001+00", "2026-02-15 22:00:00.100000+00", "2026-02-15 22:00:00.999999+00", "2026-02-15 22:00:00.05+00",
  "2025-12-31 23:59:59.999999+00", "2026-01-01 00:00:00.000001+00", "2024-02-29 23:30:00.5+00", "2000-02-29 00:00:00+00",
  "1970-01-01 00:00:00+00", "1969-12-31 23:59:59.999999+00", "0001-01-01 00:00:00+00", "0099-06-01 12:00:00.25+00",
  "9999-12-31 23:59:59.999999+00",
];
// Whole-hour, half-hour, negative and local-mean-time (seconds) offsets.
const ZONES = ["UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Amsterdam", "America/Sao_Paulo"];

describe("utcTimestamp", () => {
  it("writes six fractional digits and Z for PostgreSQL's UTC text", () => {
    expect(utcTimestamp("2026-02-15 22:00:00.123456+00")).toBe("2026-02-15T22:00:00.123456Z");
    expect(utcTimestamp("2026-02-15 22:00:00+00")).toBe("2026-02-15T22:00:00.000000Z");
    expect(utcTimestamp("2026-02-15 22:00:00.1+00")).toBe("2026-02-15T22:00:00.100000Z");
    expect(utcTimestamp("2026-02-15 22:00:00.000001+00")).toBe("2026-02-15T22:00:00.000001Z");
  });

  it("moves an offset's hours, minutes and seconds to UTC and keeps the microseconds", () => {
    expect(utcTimestamp("2026-02-16 03:30:00.000007+05:30")).toBe("2026-02-15T22:00:00.000007Z");
    expect(utcTimestamp("2025-12-31 21:00:00.5-03")).toBe("2026-01-01T00:00:00.500000Z");
    expect(utcTimestamp("1900-01-01 00:19:32.25+00:19:32")).toBe("1900-01-01T00:00:00.250000Z");
    expect(utcTimestamp("0001-01-01 00:00:00-00:01:15")).toBe("0001-01-01T00:01:15.000000Z");
    expect(utcTimestamp("2024-03-01 00:30:00+01")).toBe("2024-02-29T23:30:00.000000Z");
    expect(utcTimestamp("10000-01-01 05:29:59.999999+05:30")).toBe("9999-12-31T23:59:59.999999Z");
    expect(utcTimestamp("0001-12-31 20:53:32-03:06:28 BC")).toBe("0001-01-01T00:00:00.000000Z");
  });

  it("refuses text that is not a timestamptz in DateStyle ISO", () => {
    for (const text of ["2026-02-15T22:00:00Z", "Sun Feb 15 22:00:00 2026 UTC", "infinity", "2026-02-15 22:00:00+00 AD", "2026-02-15 22:00:00.1234567+00", ""]) {
      expect(() => utcTimestamp(text), text).toThrow(/not a PostgreSQL timestamptz/);
    }
  });
});

type Query = (text: string) => Promise<Array<Record<string, string>>>;

async function sameAsToChar(query: Query): Promise<void> {
  for (const zone of ZONES) {
    await query(`SET TimeZone = '${zone}'`);
    const rows = await query(`SELECT t, ${TO_CHAR} AS contract FROM unnest(ARRAY['${INSTANTS.join("','")}']::timestamptz[]) AS t`);
    expect(rows).toHaveLength(INSTANTS.length);
    for (const row of rows) expect(utcTimestamp(row.t!), `${zone}: ${row.t}`).toBe(row.contract);
  }
}

describe("utcTimestamp against to_char", () => {
  it("embedded: the same text as to_char(… at time zone 'UTC') in every session time zone", async () => {
    const lite = await PGlite.create({ parsers: { 1184: (v: string) => v } });
    try {
      await sameAsToChar(async (text) => (await lite.query<Record<string, string>>(text)).rows);
    } finally {
      await lite.close();
    }
  });

  it.skipIf(!process.env.NIOTEBOOK_TEST_DB_URL)("PostgreSQL: the same text as to_char(… at time zone 'UTC') in every session time zone", async () => {
    const db = await createTestDatabase(process.env.NIOTEBOOK_TEST_DB_URL!);
    const client = new pg.Client({ connectionString: db.url, types: { getTypeParser: () => (v: string) => v } });
    await client.connect();
    try {
      await sameAsToChar(async (text) => (await client.query<Record<string, string>>(text)).rows);
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
