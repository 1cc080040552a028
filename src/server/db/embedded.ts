// The embedded database: PGlite over the data folder, behind one Kysely<Database>.
import type { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseHandle } from "./handle.js";
import { microsecondClock } from "./microsecond-clock.js";
import { PGliteDialect } from "./pglite-dialect.js";
import { pingKysely } from "./ping.js";
import type { Database } from "./schema.js";
import { asText, TIMESTAMP_OIDS } from "./timestamps.js";

/** The PGlite instance over the data folder's pgdata. */
export async function createPGlite(dataDir: string): Promise<PGlite> {
  // Loaded only for the embedded database: a PostgreSQL-backed server never needs it.
  const { PGlite } = await import("@electric-sql/pglite");
  const assets = await import("./pglite-assets.js");
  const pgdata = join(dataDir, "pgdata");
  // A new data folder starts from the build's initialised database instead of running initdb.
  // The archive's files land one by one (PG_VERSION among the last, not the last): a marker
  // says a load was under way, and a load cut short by a crash is thrown away and done again.
  const loading = join(dataDir, "pgdata.loading");
  if (existsSync(loading)) rmSync(pgdata, { recursive: true, force: true });
  const initdb = existsSync(join(pgdata, "PG_VERSION")) ? undefined : assets.initdbArchive();
  if (initdb) writeFileSync(loading, "");
  const pglite = await PGlite.create(pgdata, {
    parsers: Object.fromEntries(TIMESTAMP_OIDS.map((oid) => [oid, asText])),
    extensions: (await import("../search/extensions.js")).searchExtensions,
    ...(await assets.pgliteAssetOptions()), // the single executable's own copies of PGlite's files
    ...(initdb ? { loadDataDir: initdb } : {}),
    // PGlite's heap never shrinks, and the default 128 MB of shared buffers would fill it;
    // 32 MB hold what the keyset queries touch (docs/design-notes.md).
    startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"],
  });
  rmSync(loading, { force: true });
  return pglite;
}

export async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  const pglite = await createPGlite(dataDir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: "embedded",
    newTimestamp: microsecondClock(),
    listen(channel, listener) {
      // PGlite is one session: LISTEN takes its turn like any statement. Notifications
      // arrive after the statement that caused them.
      void db.connection().execute(() => pglite.listen(channel, (payload) => listener.notified(payload)))
        .then(() => listener.hearing(true), () => {});
    },
    ping: (timeoutMs) => pingKysely(db, timeoutMs),
    // Holding the one connection, as a transaction does: no transaction is half done in the copy.
    backup: () => db.connection().execute(async () => {
      const { dumpPGlite } = await import("../backup.js");
      return dumpPGlite(pglite);
    }),
    close: () => db.destroy(),
  };
}
