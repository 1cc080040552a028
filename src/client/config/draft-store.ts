// draft.json beside auth.json: the unsent post, written synchronously on every change so
// Esc, Ctrl+C or a crash can never lose what was typed.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { ensureDir } from "./paths.js";

export class DraftStore {
  readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, "draft.json");
  }

  load(): string {
    if (!existsSync(this.path)) return "";
    try {
      const data = JSON.parse(readFileSync(this.path, "utf8")) as { text?: unknown };
      return typeof data.text === "string" ? data.text : "";
    } catch {
      return "";
    }
  }

  /** Saves the text; an empty draft removes the file. */
  save(text: string): void {
    if (text === "") {
      this.clear();
      return;
    }
    ensureDir(this.dir);
    writeFileAtomic(this.path, JSON.stringify({ text, updated_at: new Date().toISOString() }), 0o600);
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }
}
