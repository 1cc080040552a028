// `niotebook-server admin …`: where to carry a command out. PostgreSQL: directly, while
// servers run (the users trigger tells them of suspensions; the timeline version of post
// deletions). Embedded database: take the data folder's lock and open it; when a live server
// holds the lock, hand the command to that server over its admin socket (admin/socket.ts).
import { userInfo } from "node:os";
import { sql } from "kysely";
import type { Config } from "../config.js";
import { DataDirInUseError } from "../db/data-dir.js";
import { openRuntime } from "../runtime.js";
import { ADMIN_HELP, runAdminCommand, type AdminResult } from "./commands.js";
import { sendToAdminSocket } from "./socket.js";

/** Who acts, for the audit log: the OS user, else "admin-cli". */
export function adminActor(): string {
  try {
    return userInfo().username || "admin-cli";
  } catch {
    return "admin-cli";
  }
}

export async function runAdminCli(argv: string[], config: Config, actor = adminActor()): Promise<AdminResult> {
  // Help needs no database.
  if (argv.length === 0) return { code: 2, stdout: "", stderr: ADMIN_HELP[""]! };
  if (argv.includes("--help") || argv.includes("-h")) {
    const [group = "", verb = ""] = argv.filter((a) => !a.startsWith("-"));
    return { code: 0, stdout: ADMIN_HELP[`${group} ${verb}`] ?? ADMIN_HELP[group] ?? ADMIN_HELP[""]!, stderr: "" };
  }
  let runtime;
  try {
    runtime = await openRuntime(config);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    try {
      return await sendToAdminSocket(config.dataDir, argv, actor);
    } catch (sendError) {
      return {
        code: 1, stdout: "",
        stderr: `niotebook-server admin: ${error.message}, and it did not take the command on its admin socket (${(sendError as Error).message})\n`,
      };
    }
  }
  try {
    const db = runtime.database.db;
    return await runAdminCommand(argv, {
      db,
      // The users trigger notifies every server process; nothing to do here.
      userChanged: () => {},
      // Servers on PostgreSQL compare this version before serving their cached first page.
      postsChanged: async () => {
        await sql`SELECT nextval('timeline_version')`.execute(db);
      },
    }, actor);
  } finally {
    await runtime.close();
  }
}
