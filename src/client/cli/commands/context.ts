// What every scriptable command gets, how it fails, and what it prints. A command returns
// normally for exit 0 and throws CliFailure (or the API client's ApiError) otherwise.
import { ApiError } from "../../api-errors.js";
import type { ApiClient } from "../../api-client.js";
import type { InputStream } from "../../keys/terminal-input.js";

export interface Output {
  write(text: string): unknown;
}

export interface CommandContext {
  api: ApiClient;
  /** The server the command talks to (normalised). */
  serverUrl: string;
  configDir: string;
  /** config.yaml's server_url before this run (whose is an original client's auth.json). */
  configuredServer?: string | undefined;
  /** The server a bare `niotebook login` logs in to (config.yaml's). */
  homeServer?: string | undefined;
  stdin: InputStream;
  stdout: Output;
  stderr: NodeJS.WritableStream;
  json: boolean;
  now(): Date;
}

/** Exit codes of the spec: 1 failed, 2 bad usage, 3 not logged in or session expired. */
export type FailureCode = 1 | 2 | 3;

export class CliFailure extends Error {
  constructor(message: string, readonly exitCode: FailureCode) {
    super(message);
    this.name = "CliFailure";
  }
}

/** Objects for programs: one JSON object per line, exactly as the API sent it. */
export function printJson(ctx: CommandContext, objects: readonly unknown[]): void {
  for (const object of objects) ctx.stdout.write(`${JSON.stringify(object)}\n`);
}

export function printText(ctx: CommandContext, text: string): void {
  if (text !== "") ctx.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function notLoggedIn(ctx: CommandContext): CliFailure {
  return new CliFailure(`Not logged in at ${ctx.serverUrl} — run: niotebook login${loginServerFlag(ctx)}`, 3);
}

/** ` --server URL` when a bare `niotebook login` would log in elsewhere. */
const loginServerFlag = (ctx: CommandContext) => {
  const home = ctx.homeServer ?? ctx.configuredServer;
  return home === undefined || home.replace(/\/+$/, "") !== ctx.serverUrl ? ` --server ${ctx.serverUrl}` : "";
};

/** Commands that act as someone need a stored session for this server. */
export function requireSession(ctx: CommandContext): void {
  if (!ctx.api.isLoggedIn) throw notLoggedIn(ctx);
}

/**
 * A call to a route from social.md that an older server does not have: its "no such endpoint"
 * 404 (or a 405 for a path it knows for other methods) becomes a sentence that says so.
 * `pathHasId`: a 404 may then also mean the user or post is unknown — told apart by the
 * server's message.
 */
export async function offered<T>(ctx: CommandContext, feature: string, call: () => Promise<T>, options: { pathHasId?: boolean; hint?: string } = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError && isMissingRoute(error, options.pathHasId === true)) {
      const hint = options.hint === undefined ? "" : ` — ${options.hint}`;
      throw new CliFailure(`The server at ${ctx.serverUrl} does not offer ${feature} yet (it is older than this client)${hint}`, 1);
    }
    throw error;
  }
}

function isMissingRoute(error: ApiError, pathHasId: boolean): boolean {
  if (error.status === 405) return true;
  if (error.status !== 404) return false;
  return !pathHasId || /no such endpoint|route .* not found/i.test(error.message);
}
