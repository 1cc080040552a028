// `niotebook-server admin …` (social.md, "Operators"): the commands, independent of where they
// run — in the CLI's own process against the database, or inside a running embedded server
// that received them over its admin socket (admin/socket.ts). Every action that changes
// something writes one audit_log row (who, what, target, when) in the same transaction.
import { parseArgs } from "node:util";
import { sql, type Kysely } from "kysely";
import { parseDuration, ConfigError } from "../config.js";
import type { Database } from "../db/schema.js";
import { isoTimestamp } from "../db/sql.js";
import { isUuid } from "../ids.js";
import { createInvite, listInvites, revokeInvite } from "./invites.js";

/** What the commands act on, and how the servers learn of a change. */
export interface AdminTarget {
  db: Kysely<Database>;
  /** A user's suspension changed (the users trigger tells other processes). */
  userChanged(userId: string): void;
  /** A post was deleted: the first timeline page must not show it. */
  postsChanged(): Promise<void>;
}

export interface AdminResult {
  code: number;
  stdout: string;
  stderr: string;
}

const ROLES = ["user", "moderator", "admin"] as const;

export const ADMIN_HELP: Record<string, string> = {
  "": `Usage: niotebook-server admin <command>

Acts on the configured database, also while servers run (on the embedded database the
running server carries the action out).

Commands:
  users suspend @name          refuse the user's tokens and log-ins, hide their posts
  users unsuspend @name        lift a suspension
  users role @name ROLE        set the role: user, moderator or admin
  posts delete ID              delete a post
  reports list [--open]        list reports (--open: unresolved only)
  reports resolve ID           mark a report resolved
  invites create [--uses N] [--expires 7d]
                               make an invite code (default 1 use, no expiry)
  invites list                 list invite codes
  invites revoke CODE          revoke an invite code

Every action is written to the audit log. --help after any command explains it.
`,
  users: `Usage: niotebook-server admin users suspend|unsuspend @name
       niotebook-server admin users role @name user|moderator|admin
`,
  "users suspend": `Usage: niotebook-server admin users suspend @name

Suspends the user: every token is refused with 403 suspended at once in every server
process, log-in is refused after a correct password, and their posts are hidden everywhere.
`,
  "users unsuspend": `Usage: niotebook-server admin users unsuspend @name

Lifts a suspension: the user's tokens work again and their posts reappear.
`,
  "users role": `Usage: niotebook-server admin users role @name user|moderator|admin

Stores the user's role (an HTTP moderation API may use it later).
`,
  posts: `Usage: niotebook-server admin posts delete ID\n`,
  "posts delete": `Usage: niotebook-server admin posts delete ID

Deletes the post with that id (a UUID), whoever wrote it.
`,
  reports: `Usage: niotebook-server admin reports list [--open]
       niotebook-server admin reports resolve ID
`,
  "reports list": `Usage: niotebook-server admin reports list [--open]

Lists reports, oldest first: id, when, status, reporter, what was reported, reason.
--open lists only those not yet resolved.
`,
  "reports resolve": `Usage: niotebook-server admin reports resolve ID

Marks the report resolved.
`,
  invites: `Usage: niotebook-server admin invites create [--uses N] [--expires 7d]
       niotebook-server admin invites list
       niotebook-server admin invites revoke CODE
`,
  "invites create": `Usage: niotebook-server admin invites create [--uses N] [--expires DURATION]

Prints a new invite code for NIOTEBOOK_REGISTRATION=invite. --uses: how many sign-ups it
allows (default 1); --expires: how long it lasts, e.g. 12h or 7d (default: until revoked).
`,
  "invites list": `Usage: niotebook-server admin invites list

Lists invite codes: code, uses, expiry, and whether revoked.
`,
  "invites revoke": `Usage: niotebook-server admin invites revoke CODE

Revokes the code: sign-ups with it are refused from now on.
`,
};

class UsageError extends Error {}
class FailedError extends Error {}

/** Runs one admin command; never throws for bad input (exit code 2) or unknown targets (1). */
export async function runAdminCommand(argv: string[], target: AdminTarget, actor: string): Promise<AdminResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { help: { type: "boolean", short: "h" }, open: { type: "boolean" }, uses: { type: "string" }, expires: { type: "string" } },
    });
  } catch (error) {
    return { code: 2, stdout: "", stderr: `niotebook-server admin: ${(error as Error).message}\n\n${ADMIN_HELP[""]}` };
  }
  const { values, positionals } = parsed;
  const [group = "", verb = ""] = positionals;
  const key = ADMIN_HELP[`${group} ${verb}`] !== undefined ? `${group} ${verb}` : ADMIN_HELP[group] !== undefined ? group : "";
  if (values.help) return { code: 0, stdout: ADMIN_HELP[key]!, stderr: "" };
  try {
    const stdout = await dispatch(group, verb, positionals.slice(2), values, target, actor);
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    if (error instanceof UsageError) return { code: 2, stdout: "", stderr: `niotebook-server admin: ${error.message}\n\n${ADMIN_HELP[key]}` };
    if (error instanceof FailedError) return { code: 1, stdout: "", stderr: `niotebook-server admin: ${error.message}\n` };
    throw error;
  }
}

function one(args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(args.length === 0 ? `missing ${what}` : `unexpected argument "${args[1]}"`);
  return args[0]!;
}

function username(arg: string): string {
  const name = arg.startsWith("@") ? arg.slice(1) : arg;
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new UsageError(`"${arg.slice(0, 60)}" is not a username (write @name)`);
  return name.toLowerCase();
}

function noOptions(values: Record<string, unknown>, allowed: string[]): void {
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && !allowed.includes(name)) throw new UsageError(`--${name} does not apply to this command`);
  }
}

async function audit(db: Kysely<Database>, actor: string, action: string, target: string, details = ""): Promise<void> {
  await db.insertInto("audit_log").values({ actor, action, target, details }).execute();
}

async function dispatch(
  group: string, verb: string, args: string[],
  values: { open?: boolean; uses?: string; expires?: string },
  target: AdminTarget, actor: string,
): Promise<string> {
  const { db } = target;
  switch (`${group} ${verb}`) {
    case "users suspend":
    case "users unsuspend": {
      noOptions(values, []);
      const name = username(one(args, "@name"));
      const suspend = verb === "suspend";
      const id = await db.transaction().execute(async (tx) => {
        const user = await tx.selectFrom("users").select(["id", sql<boolean>`suspended_at IS NOT NULL`.as("suspended")]).where("username", "=", name).forUpdate().executeTakeFirst();
        if (!user) throw new FailedError(`no user @${name}`);
        if (user.suspended !== suspend) {
          await tx.updateTable("users").set({ suspended_at: suspend ? sql`now()` : null }).where("id", "=", user.id).execute();
        }
        await audit(tx, actor, `users.${verb}`, `@${name}`);
        return user.id;
      });
      target.userChanged(id);
      await target.postsChanged();
      return `${suspend ? "suspended" : "unsuspended"} @${name}\n`;
    }
    case "users role": {
      noOptions(values, []);
      if (args.length !== 2) throw new UsageError("expected @name and a role");
      const name = username(args[0]!);
      const role = args[1]!;
      if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`role must be user, moderator or admin (got "${role.slice(0, 60)}")`);
      await db.transaction().execute(async (tx) => {
        const done = await tx.updateTable("users").set({ role: role as (typeof ROLES)[number] }).where("username", "=", name).executeTakeFirst();
        if (done.numUpdatedRows === 0n) throw new FailedError(`no user @${name}`);
        await audit(tx, actor, "users.role", `@${name}`, role);
      });
      return `@${name} is now ${role}\n`;
    }
    case "posts delete": {
      noOptions(values, []);
      const id = one(args, "post ID");
      if (!isUuid(id)) throw new FailedError(`no post ${id.slice(0, 60)} (a post id is a UUID)`);
      await db.transaction().execute(async (tx) => {
        const done = await tx.deleteFrom("posts").where("id", "=", id.toLowerCase()).returning("author_id").executeTakeFirst();
        if (!done) throw new FailedError(`no post ${id}`);
        await audit(tx, actor, "posts.delete", id.toLowerCase(), `author ${done.author_id}`);
      });
      await target.postsChanged();
      return `deleted post ${id.toLowerCase()}\n`;
    }
    case "reports list": {
      noOptions(values, ["open"]);
      if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]!.slice(0, 60)}"`);
      let query = db.selectFrom("reports")
        .leftJoin("users as reporter", "reporter.id", "reports.reporter_id")
        .leftJoin("users as reported", "reported.id", "reports.user_id")
        .select(["reports.id", isoTimestamp("reports.created_at").as("created_at"), isoTimestamp("reports.resolved_at").as("resolved_at"),
          "reporter.username as reporter", "reported.username as reported", "reports.post_id", "reports.reason", "reports.content"])
        .orderBy("reports.created_at").orderBy("reports.id");
      if (values.open) query = query.where("reports.resolved_at", "is", null);
      const rows = await query.execute();
      if (rows.length === 0) return values.open ? "no open reports\n" : "no reports\n";
      return rows.map((r) => [
        r.id, r.created_at, r.resolved_at ? `resolved ${r.resolved_at}` : "open",
        `by @${r.reporter ?? "(deleted)"}`,
        r.post_id ? `post ${r.post_id}` : r.reported ? `user @${r.reported}` : "(target deleted)",
        JSON.stringify(r.reason), JSON.stringify(r.content),
      ].join("  ")).join("\n") + "\n";
    }
    case "reports resolve": {
      noOptions(values, []);
      const id = one(args, "report ID");
      if (!isUuid(id)) throw new FailedError(`no report ${id.slice(0, 60)} (a report id is a UUID)`);
      await db.transaction().execute(async (tx) => {
        const done = await tx.updateTable("reports").set({ resolved_at: sql`COALESCE(resolved_at, now())` }).where("id", "=", id.toLowerCase()).executeTakeFirst();
        if (done.numUpdatedRows === 0n) throw new FailedError(`no report ${id}`);
        await audit(tx, actor, "reports.resolve", id.toLowerCase());
      });
      return `resolved report ${id.toLowerCase()}\n`;
    }
    case "invites create": {
      noOptions(values, ["uses", "expires"]);
      if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]!.slice(0, 60)}"`);
      const uses = values.uses === undefined ? 1 : /^\d{1,9}$/.test(values.uses) && Number(values.uses) >= 1 ? Number(values.uses) : NaN;
      if (Number.isNaN(uses)) throw new UsageError(`--uses must be a whole number of at least 1 (got "${values.uses!.slice(0, 60)}")`);
      let expiresMs: number | null = null;
      if (values.expires !== undefined) {
        try {
          expiresMs = parseDuration("--expires", values.expires);
        } catch (error) {
          if (error instanceof ConfigError) throw new UsageError(error.message);
          throw error;
        }
      }
      const invite = await db.transaction().execute(async (tx) => {
        const row = await createInvite(tx, uses, expiresMs);
        await audit(tx, actor, "invites.create", row.code, `uses ${uses}${row.expires_at ? `, expires ${row.expires_at}` : ""}`);
        return row;
      });
      return `${invite.code}\n`;
    }
    case "invites list": {
      noOptions(values, []);
      if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]!.slice(0, 60)}"`);
      const rows = await listInvites(db);
      if (rows.length === 0) return "no invites\n";
      return rows.map((r) => [
        r.code, `${r.uses}/${r.uses_allowed} used`, r.expires_at ? `expires ${r.expires_at}` : "no expiry",
        r.revoked_at ? `revoked ${r.revoked_at}` : "live", `created ${r.created_at}`,
      ].join("  ")).join("\n") + "\n";
    }
    case "invites revoke": {
      noOptions(values, []);
      const code = one(args, "CODE");
      await db.transaction().execute(async (tx) => {
        if (!(await revokeInvite(tx, code))) throw new FailedError(`no invite ${code.slice(0, 60)}`);
        await audit(tx, actor, "invites.revoke", code);
      });
      return `revoked ${code}\n`;
    }
    default:
      throw new UsageError(group === "" ? "missing command" : `unknown command "${`${group} ${verb}`.trim().slice(0, 60)}"`);
  }
}
