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
 * usernames or display names starting with it, then the rest containing it; by username within
 * each rank. "Contains" is served by the trigram indexes of the search migration (a q of one
 * or two characters has no trigram and reads the whole index).
 */
export async function searchUsers(db: QueryExecutorProvider, text: string, limit: number, filter?: UserFilter): Promise<User[]> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > USER_SEARCH_LIMIT_MAX) throw new RangeError(`limit ${limit}`);
  // Such text is in no name (names hold no control characters): no need to ask.
  if (!isStorableString(text) || hasControlChars(text) || countChars(text) > LONGEST_NAME) return [];
  const result = await searchUsersStatement(text, limit, filter).execute(db);
  return result.rows.map(({ rank: _rank, ...user }) => user);
}

/** The statement behind searchUsers (text already checked). */
export function searchUsersStatement(text: string, limit: number, filter?: UserFilter): RawBuilder<User & { rank: number }> {
  // Folded and escaped by the database, in the statement itself: the trigram indexes take
  // the pattern as an expression of the parameter.
  const folded = sql`niotebook_fold(${text}::text)`;
  const escaped = sql`replace(replace(replace(${folded}, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;
  const displayName = sql`niotebook_fold(u.display_name)`;
  return sql<User & { rank: number }>`
    SELECT u.id, u.username, u.display_name, u.bio, ${isoTimestamp("u.created_at")} AS created_at,
      CASE WHEN u.username = ${folded} THEN 0
           WHEN u.username LIKE ${escaped} || '%' OR ${displayName} LIKE ${escaped} || '%' THEN 1
           ELSE 2 END AS rank
    FROM users u
    WHERE (u.username LIKE '%' || ${escaped} || '%' OR ${displayName} LIKE '%' || ${escaped} || '%')
      ${filter ? sql`AND ${filter(sql`u.id`)}` : sql``}
    ORDER BY rank, u.username
    LIMIT ${sql.lit(limit)}`;
}
