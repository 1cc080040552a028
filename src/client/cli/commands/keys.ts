// `niotebook keys add PATH | list | remove ID-or-FINGERPRINT` (tui.md, "The command line").
import { readFile } from "node:fs/promises";
import { CliFailure, printJson, printText, requireSession, type CommandContext } from "./context.js";

export type KeysAction = "add" | "list" | "remove";

export interface KeysOptions {
  action: KeysAction;
  /** add: a public key file (PATH, or PATH.pub when PATH is the private key); remove: an id or fingerprint. */
  argument?: string | undefined;
}

export async function keys(ctx: CommandContext, options: KeysOptions): Promise<void> {
  requireSession(ctx);
  switch (options.action) {
    case "add": {
      if (!options.argument) throw new CliFailure("keys add needs the path of a public key (e.g. ~/.ssh/id_ed25519.pub)", 2);
      const key = await ctx.api.addSshKey(await readPublicKey(options.argument));
      if (ctx.json) printJson(ctx, [key]);
      else printText(ctx, `Added ${key.type} ${key.fingerprint}${key.comment ? ` ${key.comment}` : ""}`);
      return;
    }
    case "list": {
      const list = await ctx.api.sshKeys();
      if (ctx.json) printJson(ctx, list);
      else if (list.length === 0) printText(ctx, "No SSH keys; add one with: niotebook keys add ~/.ssh/id_ed25519.pub");
      else printText(ctx, list.map((key) => `${key.id}  ${key.type}  ${key.fingerprint}  ${key.comment ?? ""}  added ${key.created_at}`).join("\n"));
      return;
    }
    case "remove": {
      if (!options.argument) throw new CliFailure("keys remove needs a key's id or fingerprint (see niotebook keys list)", 2);
      const wanted = options.argument;
      const key = (await ctx.api.sshKeys()).find((k) => k.id === wanted.toLowerCase() || k.fingerprint === wanted);
      if (!key) throw new CliFailure(`No key ${wanted} on your account (see niotebook keys list)`, 1);
      await ctx.api.removeSshKey(key.id);
      if (ctx.json) printJson(ctx, [key]);
      else printText(ctx, `Removed ${key.type} ${key.fingerprint}`);
      return;
    }
  }
}

/** The public key line at PATH, or at PATH.pub when PATH holds a private key. */
async function readPublicKey(path: string): Promise<string> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new CliFailure(error.code === "ENOENT" ? `No file ${path}` : `Cannot read ${path}: ${error.message}`, 1);
  });
  if (!text.includes("PRIVATE KEY")) return text.trim();
  return (await readFile(`${path}.pub`, "utf8").catch(() => {
    throw new CliFailure(`${path} is a private key and ${path}.pub is missing: give the public key`, 1);
  })).trim();
}
