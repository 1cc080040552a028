// Users straight into the database for the social tests: the functions under test take ids,
// and registering through the API would spend most of a test hashing passwords.
import { sql, type Kysely } from "kysely";
import type { Database } from "../../src/server/db/schema.js";

let batch = 0;

/** n fresh users named `<prefix><batch>u<i>`; their ids in order. */
export async function makeUsers(db: Kysely<Database>, prefix: string, n: number): Promise<string[]> {
  const tag = `${prefix}${batch++}u`;
  const rows = await sql<{ id: string }>`INSERT INTO users (username, email, password_hash, display_name)
    SELECT ${tag} || g, ${tag} || g || '@example.com', 'not-a-hash', ${tag} || g FROM generate_series(0, ${n - 1}::int) g
    ORDER BY g RETURNING id`.execute(db);
  return rows.rows.map((r) => r.id);
}
