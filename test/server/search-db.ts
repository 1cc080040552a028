// A database for the search tests: PGlite in memory (with the search extensions) or a fresh
// PostgreSQL database, migrated with the repository's migrations, the search one last
// as registered in migrations.ts (migrateBase stops before it, so a test can fill posts first).
/* eslint-disable @typescript-eslint/no-explicit-any -- because a migration takes Kysely<any> by Kysely's own convention: it must not depend on today's schema type (Kysely<unknown> does not accept a Kysely<Database>). */
import { Kysely } from "kysely";
import { Migrator } from "kysely/migration";
import { PGlite } from "@electric-sql/pglite";
import { openPostgres, type DatabaseHandle } from "../../src/server/db/database.js";
import { migrations } from "../../src/server/db/migrations.js";
import { PGliteDialect } from "../../src/server/db/pglite-dialect.js";
import type { Database } from "../../src/server/db/schema.js";
import { searchExtensions } from "../../src/server/search/extensions.js";
import { searchMigrations } from "../../src/server/search/migrations.js";
import { createTestDatabase } from "../support/server-process.js";
import type { Backend } from "./harness.js";

export interface SearchDb {
  db: Kysely<Database>;
  close(): Promise<void>;
}

const asText = (value: string) => value;

export async function openSearchDb(backend: Backend, options: { migrate?: boolean } = {}): Promise<SearchDb> {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  if (backend === "embedded") {
    const pglite = await PGlite.create({
      extensions: searchExtensions,
      parsers: Object.fromEntries([1082, 1114, 1184].map((oid) => [oid, asText])),
    });
    db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    close = () => db.destroy();
  } else {
    const created = await createTestDatabase(process.env.NIOTEBOOK_TEST_DB_URL!);
    const handle: DatabaseHandle = openPostgres({ url: created.url });
    db = handle.db;
    close = async () => {
      await handle.close();
      await created.drop();
    };
  }
  if (options.migrate !== false) await migrateWithSearch(db);
  return { db, close };
}

export async function migrateWithSearch(db: Kysely<any>): Promise<void> {
  await migrateBase(db);
  await migrateSearch(db);
}

/** The repository's migrations up to (not including) the search one, so a test can fill posts first. */
export async function migrateBase(db: Kysely<any>): Promise<void> {
  // By name: migrations after the search one (0021_safety, …) come after it too.
  const first = Object.keys(searchMigrations).sort()[0]!;
  const base = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < first));
  await migrate(db, base);
}

/** The search migration, registered after the others as the lead will. */
export async function migrateSearch(db: Kysely<any>): Promise<void> {
  await migrate(db, { ...migrations, ...searchMigrations });
}

async function migrate(db: Kysely<any>, all: typeof migrations): Promise<void> {
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => all } }).migrateToLatest();
  if (error) throw error;
}

let counter = 0;
export async function addUser(db: Kysely<Database>, username: string, displayName = username): Promise<string> {
  const row = await db.insertInto("users").values({
    username, display_name: displayName, email: `${username}-${counter++}@example.com`, password_hash: "x",
  }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}
