// The one place that knows where a user's social data lives, for the export archive.
// Deletion needs no list: every table that refers to a user does so with a foreign key
// ON DELETE CASCADE (the deletion test checks every such column, table by table).
// When the social tables land, correct the table and column names here (blocks and mutes
// are guesses); a relation whose table does not exist yet exports as an empty list.
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.js";

interface Relation {
  /** The archive's key. */
  key: "following" | "followers" | "likes" | "blocks" | "mutes";
  table: string;
  /** The column holding the exporting user's id. */
  owner: string;
  /** The other side: a user id (exported as the username) or a post id (exported as is). */
  other: string;
  otherIs: "user" | "post";
}

export const EXPORT_RELATIONS: readonly Relation[] = [
  { key: "following", table: "follows", owner: "follower_id", other: "followee_id", otherIs: "user" },
  { key: "followers", table: "follows", owner: "followee_id", other: "follower_id", otherIs: "user" },
  { key: "likes", table: "likes", owner: "user_id", other: "post_id", otherIs: "post" },
  { key: "blocks", table: "blocks", owner: "blocker_id", other: "blocked_id", otherIs: "user" },
  { key: "mutes", table: "mutes", owner: "muter_id", other: "muted_id", otherIs: "user" },
];

export async function exportRelations(db: Kysely<Database>, userId: string): Promise<Record<Relation["key"], string[]>> {
  const present = new Set((await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`.execute(db)).rows.map((r) => r.table_name));
  const out = { following: [], followers: [], likes: [], blocks: [], mutes: [] } as Record<Relation["key"], string[]>;
  for (const r of EXPORT_RELATIONS) {
    if (!present.has(r.table)) continue;
    const t = sql.table(r.table);
    const owner = sql.ref(`x.${r.owner}`);
    const other = sql.ref(`x.${r.other}`);
    const rows = r.otherIs === "user"
      ? await sql<{ v: string }>`SELECT u.username AS v FROM ${t} x JOIN users u ON u.id = ${other} WHERE ${owner} = ${userId} ORDER BY u.username`.execute(db)
      : await sql<{ v: string }>`SELECT ${other}::text AS v FROM ${t} x WHERE ${owner} = ${userId} ORDER BY 1`.execute(db);
    out[r.key] = rows.rows.map((row) => row.v);
  }
  return out;
}
