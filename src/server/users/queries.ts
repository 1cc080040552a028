import { sql, type Kysely } from "kysely";
import type { Profile } from "../../api/index.js";
import type { Database } from "../db/schema.js";
import { isoTimestamp } from "../db/sql.js";

type Db = Kysely<Database>;

const publicColumns = ["users.id", "users.username", "users.display_name", "users.bio"] as const;
// Profiles carry the counter columns the triggers keep exact (social.md: profile endpoints only).
const counts = ["users.followers_count", "users.following_count", "users.posts_count"] as const;

export function findUserById(db: Db, id: string): Promise<Profile | undefined> {
  return db.selectFrom("users").select([...publicColumns, isoTimestamp("users.created_at").as("created_at"), ...counts])
    .where("id", "=", id).executeTakeFirst();
}

export function findUserByUsername(db: Db, username: string): Promise<Profile | undefined> {
  return db.selectFrom("users").select([...publicColumns, isoTimestamp("users.created_at").as("created_at"), ...counts])
    .where("username", "=", username.toLowerCase()).executeTakeFirst();
}

export function findCredentialsByEmail(db: Db, email: string) {
  return db.selectFrom("users")
    .select([...publicColumns, isoTimestamp("users.created_at").as("created_at"), ...counts, "users.password_hash", "users.token_epoch",
      sql<boolean>`users.suspended_at IS NOT NULL`.as("suspended")])
    .where("email", "=", email.toLowerCase()).executeTakeFirst();
}

export async function userExists(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom("users").select(sql<number>`1`.as("one")).where("id", "=", id).executeTakeFirst();
  return row !== undefined;
}

/** What authentication needs of a user; undefined when there is no such user. */
export async function findUserAccess(db: Db, id: string): Promise<{ tokenEpoch: number; suspended: boolean } | undefined> {
  const row = await db.selectFrom("users").select(["token_epoch", sql<boolean>`suspended_at IS NOT NULL`.as("suspended")])
    .where("id", "=", id).executeTakeFirst();
  return row && { tokenEpoch: row.token_epoch, suspended: row.suspended };
}

/** Which of username / e-mail is already taken, username first (the contract's order). */
export async function findTakenField(db: Db, username: string, email: string): Promise<"username" | "email" | null> {
  const rows = await db.selectFrom("users").select(["username", "email"])
    .where((eb) => eb.or([eb("username", "=", username), eb("email", "=", email)])).execute();
  if (rows.some((r) => r.username === username)) return "username";
  if (rows.some((r) => r.email === email)) return "email";
  return null;
}

/** `createdAt`: null for the database's now() (DatabaseHandle.newTimestamp). */
export function insertUser(
  db: Db,
  values: { username: string; email: string; password_hash: string; display_name: string },
  createdAt: string | null,
): Promise<Profile> {
  return db.insertInto("users").values(createdAt === null ? values : { ...values, created_at: createdAt })
    .returning([...publicColumns, isoTimestamp("users.created_at").as("created_at"), ...counts]).executeTakeFirstOrThrow();
}

export function updateUser(db: Db, id: string, patch: { display_name?: string; bio?: string }): Promise<Profile | undefined> {
  return db.updateTable("users").set({ ...patch, updated_at: sql`now()` }).where("id", "=", id)
    .returning([...publicColumns, isoTimestamp("users.created_at").as("created_at"), ...counts]).executeTakeFirst();
}
