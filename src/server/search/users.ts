// Users search (social.md, "Search"): usernames and display names starting with or containing
// q, case- and accent-insensitive: an exact username first, then prefix matches, then the rest.
import { sql, type QueryExecutorProvider, type RawBuilder } from "kysely";
import type { User } from "../../api/index.js";
import { isStorableString, hasControlChars, countChars } from "../../api/text.js";
import type { FieldError } from "../../api/rules.js";
import { isoTimestamp } from "../db/sql.js";

export const USER_SEARCH_LIMIT_MAX = 50;
export const USER_SEARCH_LIMIT_DEFAULT = 20;
// No username or display name is longer (15 and 50): a longer q can contain none.
const LONGEST_NAME = 50;

/** What users search looks for: q trimmed, without the `@` of a completion; null when empty (400, field `q`). */
export function userSearchText(q: string): { ok: true; text: string } | { ok: false; error: FieldError } {
  const text = q.trim().replace(/^@/, "").trim();
  if (text === "") return { ok: false, error: { code: "validation_error", field: "q", message: "Enter a name to search for" } };
  return { ok: true, text };
}

/** A condition on a found user's id (say, social/common.ts visibleTo's block filter), applied before the limit. */
export type UserFilter = (userId: RawBuilder<unknown>) => RawBuilder<boolean>;

/**
 * Up to `limit` users matching `text` (see userSearchText), ranked: the exact username, then
 * usernames starting with it (by username), then display names starting with it (by display
 * name), then the rest containing it. "Contains" is served by the trigram indexes of the search migration (a q of one
 * or two characters has no trigram and reads the whole index).
 */
export async function searchUsers(db: QueryExecutorProvider, text: string, limit: number, filter?: UserFilter): Promise<User[]> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > USER_SEARCH_LIMIT_MAX) throw new RangeError(`limit ${limit}`);
  // Such text is in no name (names hold no control characters): no need to ask.
  if (!isStorableString(text) || hasControlChars(text) || countChars(text) > LONGEST_NAME) return [];
  const result = await searchUsersStatement(text, limit, filter).execute(db);
  return result.rows.map(({ rank: _rank, ...user }) => user);
}

/**
 * The statement behind searchUsers (text already checked). One branch per rank, each cut at
 * `limit` on its own index before the ranks are merged: the exact username (unique index);
 * usernames starting with the text, then display names starting with it, each walked in byte
 * order on its "C" index (migration 0031); the rest containing it (trigram indexes), any
 * `limit` of them, shown by username. Never more than 4 × limit rows are read and sorted,
 * however many users share a prefix.
 */
export function searchUsersStatement(text: string, limit: number, filter?: UserFilter): RawBuilder<User & { rank: number }> {
  // Folded and escaped by the database, in the statement itself: the indexes take the
  // pattern as an expression of the parameter (folded to a constant when planned).
  const folded = sql`niotebook_fold(${text}::text)`;
  const escaped = sql`replace(replace(replace(${folded}, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;
  const username = sql`(u.username COLLATE "C")`;
  const displayName = sql`(niotebook_fold(u.display_name) COLLATE "C")`;
  const prefix = sql`(${escaped} || '%')`;
  const visible = filter ? sql`AND ${filter(sql`u.id`)}` : sql``;
  const n = sql.lit(limit);
  const columns = (rank: number, key: RawBuilder<unknown>) =>
    sql`u.id, u.username, u.display_name, u.bio, ${isoTimestamp("u.created_at")} AS created_at, ${sql.lit(rank)}::int AS rank, ${key} AS k1, ${username} AS k2`;
  // A user may match several branches (a username and a display name both starting with
  // the text): each keeps its best rank. Branches 2 and 3 take 2 × limit, as up to limit − 1
  // of what they find may be such repeats of a rank that did not fill the page.
  const twice = sql.lit(2 * limit);
  return sql<User & { rank: number }>`/* users search */
    SELECT id, username, display_name, bio, created_at, rank FROM (
      SELECT DISTINCT ON (id) * FROM (
        (SELECT ${columns(0, username)} FROM users u WHERE u.username = ${folded} ${visible})
        UNION ALL
        (SELECT ${columns(1, username)} FROM users u
          WHERE ${username} LIKE ${prefix} AND u.username <> ${folded} ${visible}
          ORDER BY ${username} LIMIT ${n})
        UNION ALL
        (SELECT ${columns(2, displayName)} FROM users u
          WHERE ${displayName} LIKE ${prefix} ${visible}
          ORDER BY ${displayName}, ${username} LIMIT ${twice})
        UNION ALL
        (SELECT ${columns(3, username)} FROM users u
          WHERE (u.username LIKE '%' || ${escaped} || '%' OR niotebook_fold(u.display_name) LIKE '%' || ${escaped} || '%') ${visible}
          LIMIT ${twice})
      ) AS found
      ORDER BY id, rank
    ) AS ranked
    ORDER BY rank, k1, k2
    LIMIT ${n}`;
}
