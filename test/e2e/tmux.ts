// Drives the built client in a real tmux pane: send-keys in, capture-pane out.
import { execFileSync, spawnSync } from "node:child_process";

export const tmuxAvailable = (): boolean => spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;

export class TmuxPane {
  private readonly socket = `niotebook-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly target = "e2e";

  constructor(private readonly command: string, private readonly env: Record<string, string>) {}

  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
  }

  start(columns = 80, rows = 24): void {
    const envArgs = Object.entries(this.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    this.tmux("-f", "/dev/null", "new-session", "-d", "-s", this.target, "-x", String(columns), "-y", String(rows), ...envArgs, this.command);
    // Keep the pane after the client exits, so a quit can be observed and the client restarted.
    this.tmux("set-option", "-t", this.target, "remain-on-exit", "on");
    this.tmux("set-option", "-t", this.target, "escape-time", "0");
  }

  /** Named keys (Enter, Tab, C-s, Escape…), as tmux send-keys understands them. */
  keys(...keys: string[]): void {
    this.tmux("send-keys", "-t", this.target, ...keys);
  }

  /** Literal text. */
  text(text: string): void {
    this.tmux("send-keys", "-t", this.target, "-l", text);
  }

  capture(): string {
    return this.tmux("capture-pane", "-p", "-t", this.target);
  }

  isDead(): boolean {
    return this.tmux("display-message", "-p", "-t", this.target, "#{pane_dead}").trim() === "1";
  }

  respawn(): void {
    this.tmux("respawn-pane", "-k", "-t", this.target, this.command);
  }

  resize(columns: number, rows: number): void {
    this.tmux("resize-window", "-t", this.target, "-x", String(columns), "-y", String(rows));
  }

  async waitFor(check: string | RegExp | ((screen: string) => boolean), timeoutMs = 10_000): Promise<string> {
    const test =
      typeof check === "function" ? check : typeof check === "string" ? (s: string) => s.includes(check) : (s: string) => check.test(s);
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < deadline) {
      screen = this.capture();
      if (test(screen)) return screen;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Timed out waiting for ${String(check)}. Screen:\n${screen}`);
  }

  /** Keys, then a short pause so the client has drawn the result. */
  async press(...keys: string[]): Promise<void> {
    for (const key of keys) {
      this.keys(key);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  kill(): void {
    try {
      this.tmux("kill-server");
    } catch {
      // already gone
    }
  }
}

/** The selected card's first line (the one marked ▸). */
export const selectedLine = (screen: string): string => screen.split("\n").find((l) => l.startsWith("▸")) ?? "";
