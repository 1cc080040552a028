// `niotebook keys add PATH | list | remove ID-or-FINGERPRINT` (tui.md, "The command line").
import { readFile } from "node:fs/promises";
import type { ApiClient } from "../../api-client.js";
import { EXIT, reportFailure, type CliIo } from "./io.js";

export interface KeysOptions {
  action: string | undefined;
  /** add: a public key file (PATH, or PATH.pub when PATH is the private key); remove: an id or fingerprint. */
  argument?: string | undefined;
  json?: boolean;
}

const USAGE = "usage: niotebook keys add PATH | keys list | keys remove ID|FINGERPRINT\n";

export async function keysCommand(api: ApiClient, options: KeysOptions, io: CliIo): Promise<number> {
  if (!api.isLoggedIn) {
    io.err("Not logged in: run niotebook login first\n");
    return EXIT.loggedOut;
  }
  try {
    switch (options.action) {
      case "add": {
        if (!options.argument) return usage(io, "keys add needs the path of a public key (e.g. ~/.ssh/id_ed25519.pub)");
        const key = await api.addSshKey(await readPublicKey(options.argument));
        io.out(options.json ? `${JSON.stringify(key)}\n` : `Added ${key.type} ${key.fingerprint}${key.comment ? ` ${key.comment}` : ""}\n`);
        return EXIT.done;
      }
      case "list": {
        if (options.argument) return usage(io, `keys list takes no argument (got ${options.argument})`);
        const keys = await api.sshKeys();
        if (options.json) for (const key of keys) io.out(`${JSON.stringify(key)}\n`);
        else if (keys.length === 0) io.out("No SSH keys; add one with: niotebook keys add ~/.ssh/id_ed25519.pub\n");
        else for (const key of keys) io.out(`${key.id}  ${key.type}  ${key.fingerprint}  ${key.comment ?? ""}  added ${key.created_at}\n`);
        return EXIT.done;
      }
      case "remove": {
        if (!options.argument) return usage(io, "keys remove needs a key's id or fingerprint (see niotebook keys list)");
        const wanted = options.argument;
        const keys = await api.sshKeys();
        const key = keys.find((k) => k.id === wanted.toLowerCase() || k.fingerprint === wanted);
        if (!key) {
          io.err(`No key ${wanted} on your account (see niotebook keys list)\n`);
          return EXIT.failed;
        }
        await api.removeSshKey(key.id);
        io.out(options.json ? `${JSON.stringify(key)}\n` : `Removed ${key.type} ${key.fingerprint}\n`);
        return EXIT.done;
      }
      default:
        return usage(io, options.action ? `unknown keys command: ${options.action}` : "keys needs a command");
    }
  } catch (error) {
    return reportFailure(io, error);
  }
}

function usage(io: CliIo, message: string): number {
  io.err(`niotebook: ${message}\n${USAGE}`);
  return EXIT.usage;
}

/** The public key line at PATH, or at PATH.pub when PATH holds a private key. */
async function readPublicKey(path: string): Promise<string> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === "ENOENT" ? `No file ${path}` : `Cannot read ${path}: ${error.message}`);
  });
  if (!text.includes("PRIVATE KEY")) return text.trim();
  return (await readFile(`${path}.pub`, "utf8").catch(() => {
    throw new Error(`${path} is a private key and ${path}.pub is missing: give the public key`);
  })).trim();
}
