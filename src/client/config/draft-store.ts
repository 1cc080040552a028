// draft.json beside auth.json: unsent posts, written synchronously on every change so Esc,
// Ctrl+C or a crash can never lose what was typed. One draft per account (server and user):
// a draft typed as one user must never reopen in another account's compose box, where it
// could be published under the wrong name.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { ensureDir } from "./paths.js";

interface Draft {
  text: string;
  updated_at: string;
}

export class DraftStore {
  readonly path: string;

  constructor(private readonly dir: string, private readonly serverUrl: string) {
    this.path = join(dir, "draft.json");
  }

  load(userId: string): string {
    const file = this.read();
    // A draft saved before drafts had owners: whoever opens compose first gets it back.
    return file.drafts[this.key(userId)]?.text ?? file.unowned ?? "";
  }

  /** Saves the user's text; an empty draft removes it. */
  save(userId: string, text: string): void {
    const drafts = this.read().drafts;
    if (text === "") delete drafts[this.key(userId)];
    else drafts[this.key(userId)] = { text, updated_at: new Date().toISOString() };
    if (Object.keys(drafts).length === 0) {
      rmSync(this.path, { force: true });
      return;
    }
    ensureDir(this.dir);
    writeFileAtomic(this.path, JSON.stringify({ drafts }), 0o600);
  }

  clear(userId: string): void {
    this.save(userId, "");
  }

  private key(userId: string): string {
    return `${this.serverUrl} ${userId}`;
  }

  private read(): { drafts: Record<string, Draft>; unowned?: string } {
    if (!existsSync(this.path)) return { drafts: {} };
    try {
      const data = JSON.parse(readFileSync(this.path, "utf8")) as { drafts?: unknown; text?: unknown };
      const drafts: Record<string, Draft> = {};
      if (data.drafts && typeof data.drafts === "object") {
        for (const [key, value] of Object.entries(data.drafts as Record<string, Partial<Draft> | null>)) {
          if (typeof value?.text === "string") drafts[key] = value as Draft;
        }
      }
      return typeof data.text === "string" ? { drafts, unowned: data.text } : { drafts };
    } catch {
      return { drafts: {} };
    }
  }
}
