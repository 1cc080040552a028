// The one keyset paginator every list uses (modelled on Bluesky PDS's db/pagination.ts): the
// cursor (opaque base64url of the list's hash and the last row's key), the keyset condition and
// ordering, limit+1 and has_more, the `limit` parameter, and refusing another list's cursor.
// Each list names itself with an identity string ("timeline", `user-posts:${userId}`, …).
import { createHash } from "node:crypto";
import { sql, type RawBuilder, type SelectQueryBuilder } from "kysely";
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from "../../api/index.js";
import { validation } from "../http/errors.js";
import { isUuid } from "../ids.js";

/** The default key: a row's timestamp (with microseconds, as the API writes it) and its uuid. */
export interface PageKey {
  createdAt: string;
  id: string;
}

/** A bigint key (a serial id), as decimal text: JavaScript numbers cannot hold every bigint. */
export interface SerialKey {
  id: string;
}

/** desc: newest first; asc: oldest first (a thread's replies). */
export type Direction = "asc" | "desc";

/** How a list's key is written into a cursor and compared and ordered in SQL. */
export interface Keyset<K> {
  encode(key: K): string;
  /** undefined when the text is not a key of this kind. */
  decode(text: string): K | undefined;
  /** Rows strictly after `key` in `direction`. `key`'s values are only interpolated, never read. */
  after(key: K, direction: Direction): RawBuilder<boolean>;
  /** The columns to order by, most significant first. */
  readonly columns: readonly string[];
}

// Columns are written into the SQL as they are (the statement text stays readable in
// pg_prepared_statements): they come from our code, never from a request.
const COLUMN = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;
function column(name: string): string {
  if (!COLUMN.test(name)) throw new Error(`keyset column ${JSON.stringify(name)} is not a plain column name`);
  return name;
}
const comparison = (direction: Direction) => sql.raw(direction === "desc" ? "<" : ">");

/** A (timestamptz, uuid) key on any column pair, e.g. ("posts.created_at", "posts.id"). */
export function timeIdKeyset(timeColumn: string, idColumn: string): Keyset<PageKey> & { timeColumn: string } {
  const columns = [column(timeColumn), column(idColumn)] as const;
  const pair = sql.raw(`(${columns[0]}, ${columns[1]})`);
  return {
    timeColumn: columns[0],
    columns,
    encode: (key) => `${key.createdAt}|${key.id}`,
    decode(text) {
      const [createdAt, id, ...rest] = text.split("|");
      const time = createdAt ? parseTimestamp(createdAt) : null;
      return time && !time.truncated && id && isUuid(id) && rest.length === 0 ? { createdAt: time.value, id } : undefined;
    },
    after: (key, direction) => sql<boolean>`${pair} ${comparison(direction)} (${key.createdAt}::timestamptz, ${key.id}::uuid)`,
  };
}

const BIGINT_MAX = 2n ** 63n - 1n;

/** A bigint key on one column, e.g. ("notifications.id"). */
export function serialKeyset(idColumn: string): Keyset<SerialKey> {
  const columns = [column(idColumn)] as const;
  return {
    columns,
    encode: (key) => key.id,
    decode: (text) => (/^(0|[1-9]\d{0,18})$/.test(text) && BigInt(text) <= BIGINT_MAX ? { id: text } : undefined),
    after: (key, direction) => sql<boolean>`${sql.raw(columns[0])} ${comparison(direction)} ${key.id}::bigint`,
  };
}

/** Adds the keyset condition (when there is a cursor) and the keyset's ordering to a select. */
export function paginate<DB, TB extends keyof DB, O, K>(
  qb: SelectQueryBuilder<DB, TB, O>, keyset: Keyset<K>, after: K | undefined, direction: Direction,
): SelectQueryBuilder<DB, TB, O> {
  let query = after === undefined ? qb : qb.where(keyset.after(after, direction));
  for (const name of keyset.columns) query = query.orderBy(sql.raw(name), direction);
  return query;
}

/** How many rows a page's query fetches: one more than it shows, so has_more is exact. */
export const fetchSize = (limit: number): number => limit + 1;

// ---- Cursors -------------------------------------------------------------------------------

/** A short hash of a list's identity, carried in its cursors (not a secret: a label). */
function listTag(list: string): string {
  return createHash("sha256").update(list).digest("base64url").slice(0, 8);
}

export function encodeCursor<K>(list: string, keyset: Keyset<K>, key: K): string {
  return Buffer.from(`${listTag(list)}|${keyset.encode(key)}`).toString("base64url");
}

const badCursor = (v1: boolean) =>
  validation("cursor", v1 ? "cursor must be a next_cursor from a previous page or an RFC 3339 timestamp" : "cursor must be a next_cursor from a previous page of this list");

/** The cursor's key and the tag of the list it was minted for; undefined when it is not one. */
function decodeCursor<K>(raw: string, keyset: Keyset<K>): { tag: string; key: K } | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  const text = Buffer.from(raw, "base64url").toString("utf8");
  const bar = text.indexOf("|");
  if (bar !== 8) return undefined;
  const key = keyset.decode(text.slice(bar + 1));
  return key === undefined ? undefined : { tag: text.slice(0, bar), key };
}

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return PAGE_LIMIT_DEFAULT;
  // Decimal digits only; leading zeros are fine however many (Go's strconv.Atoi, the original's parser, agrees).
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= PAGE_LIMIT_MAX)) throw validation("limit", `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}`);
  return n;
}

/** A list endpoint's query string. Empty values count as absent. */
export interface PageQueryInput {
  cursor?: string | undefined;
  limit?: string | undefined;
}

/** One page asked of one list: the rows after `after` (none: the first page), `limit` of them. */
export interface PageRequest<K = PageKey> {
  list: string;
  limit: number;
  after: K | undefined;
}

/**
 * Reads `limit` and `cursor` for the list named `list` (limit first, as the original did).
 * 400 validation_error on `limit`, or on `cursor` when it is malformed or minted for another list.
 */
export function parsePageRequest<K>(query: PageQueryInput, list: string, keyset: Keyset<K>): PageRequest<K> {
  const limit = parseLimit(query.limit);
  if (query.cursor === undefined || query.cursor === "") return { list, limit, after: undefined };
  const cursor = decodeCursor(query.cursor, keyset);
  if (!cursor || cursor.tag !== listTag(list)) throw badCursor(false);
  return { list, limit, after: cursor.key };
}

/** A page as lists answer it; callers rename `items` (posts, users, …) in their envelope. */
export interface Page<R> {
  items: R[];
  next_cursor: string | null;
  has_more: boolean;
}

/** Turns the limit+1 rows a page's query fetched into the page and the cursor to the next one. */
export function toPage<R, K>(rows: R[], request: Pick<PageRequest<K>, "list" | "limit">, keyset: Keyset<K>, keyOf: (row: R) => K): Page<R> {
  const has_more = rows.length > request.limit;
  const items = has_more ? rows.slice(0, request.limit) : rows;
  const last = items[items.length - 1];
  return { items, next_cursor: has_more && last !== undefined ? encodeCursor(request.list, keyset, keyOf(last)) : null, has_more };
}

/** The key of a row as the API writes it ({ id, created_at }). */
export const createdAtKey = (row: { id: string; created_at: string }): PageKey => ({ createdAt: row.created_at, id: row.id });

// ---- Version 1's lists (the global timeline, a user's posts) --------------------------------
// They also take an RFC 3339 timestamp as cursor, as the original server did: "rows strictly
// before this instant", or up to and including it when the instant falls inside a microsecond.

export interface TimestampBound {
  at: string;
  /** The instant fell strictly inside `at`'s microsecond: that microsecond's rows are kept. */
  inclusive: boolean;
}

export interface V1PageRequest extends PageRequest<PageKey> {
  before: TimestampBound | undefined;
  /** The tag of the list the cursor was minted for, until checkList has compared it. */
  mintedFor: string | undefined;
}

/**
 * Reads a v1 list's `limit` and `cursor`. The cursor's list is compared when the list's identity
 * is known: here if `list` is given, otherwise by checkList (a user named by @username is known
 * only once the page's one statement has run).
 */
export function parseV1PageRequest(query: PageQueryInput, list?: string): V1PageRequest {
  const limit = parseLimit(query.limit);
  const raw = query.cursor;
  const request: V1PageRequest = { list: list ?? "", limit, after: undefined, before: undefined, mintedFor: undefined };
  if (raw === undefined || raw === "") return request;
  const time = parseTimestamp(raw);
  if (time) return { ...request, before: { at: time.value, inclusive: time.truncated } };
  const cursor = decodeCursor(raw, V1_KEYSET);
  if (!cursor) throw badCursor(true);
  const minted = { ...request, after: cursor.key, mintedFor: cursor.tag };
  return list === undefined ? minted : checkList(minted, list);
}

/** The request, bound to `list`; 400 when its cursor was minted for another list. */
export function checkList(request: V1PageRequest, list: string): V1PageRequest {
  if (request.mintedFor !== undefined && request.mintedFor !== listTag(list)) throw badCursor(true);
  return { ...request, list, mintedFor: undefined };
}

/** What the SQL text of a v1 page depends on: each is its own (cached, prepared) statement. */
export type V1Shape = "first" | "after" | "before" | "before-or-at";

/** A v1 page's values by name, for reusableQuery (a stand-in for each while the statement is built). */
export type V1Values = { createdAt: string; id: string; before: string };

/** Where a v1 page starts: after a key, before an instant, or (neither) at the newest row. */
export type V1Start = { after?: PageKey | undefined; before?: TimestampBound | undefined };

export function v1Shape(request: V1Start | undefined): V1Shape {
  if (!request) return "first";
  if (request.after) return "after";
  if (request.before) return request.before.inclusive ? "before-or-at" : "before";
  return "first";
}

export function v1Values(request: V1Start | undefined): V1Values {
  return { createdAt: request?.after?.createdAt ?? "", id: request?.after?.id ?? "", before: request?.before?.at ?? "" };
}

/** paginate for a v1 list, newest first: the keyset condition, or the timestamp bound. */
export function paginateV1<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>, keyset: Keyset<PageKey> & { timeColumn: string }, shape: V1Shape, values: V1Values,
): SelectQueryBuilder<DB, TB, O> {
  const time = sql.raw(keyset.timeColumn);
  switch (shape) {
    case "first": return paginate(qb, keyset, undefined, "desc");
    case "after": return paginate(qb, keyset, { createdAt: values.createdAt, id: values.id }, "desc");
    case "before": return paginate(qb.where(sql<boolean>`${time} < ${values.before}::timestamptz`), keyset, undefined, "desc");
    case "before-or-at": return paginate(qb.where(sql<boolean>`${time} <= ${values.before}::timestamptz`), keyset, undefined, "desc");
  }
}

// The encoding of a v1 cursor's key (the columns are the caller's: only encode/decode are used).
const V1_KEYSET = timeIdKeyset("created_at", "id");

/** Turns a v1 list's limit+1 rows into `{ posts, next_cursor, has_more }`, in the contract's key order. */
export function toPostPage<R extends { id: string; created_at: string }>(rows: R[], request: Pick<PageRequest, "list" | "limit">) {
  const page = toPage(rows, request, V1_KEYSET, createdAtKey);
  return { posts: page.items, next_cursor: page.next_cursor, has_more: page.has_more };
}

// ---- RFC 3339 ------------------------------------------------------------------------------

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
