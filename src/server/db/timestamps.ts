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
