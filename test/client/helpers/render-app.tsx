// Renders the whole client the way main does, through the same providers, with a fixed
// terminal size, a temp config folder and a chosen server. Keys go in as raw terminal bytes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { render } from "ink-testing-library";
import { App } from "../../../src/client/app/App.js";
import { createServices } from "../../../src/client/app/run-tui.js";
import { ServicesProvider, type Services } from "../../../src/client/app/services.js";
import { FixedTerminalSize } from "../../../src/client/app/terminal-size.js";
import { SessionStore } from "../../../src/client/config/session-store.js";
import type { Tokens } from "../../../src/api/index.js";

export const KEY = {
  enter: "\r",
  escape: "\x1b",
  tab: "\t",
  shiftTab: "\x1b[Z",
  up: "\x1b[A",
  down: "\x1b[B",
  left: "\x1b[D",
  right: "\x1b[C",
  home: "\x1b[H",
  end: "\x1b[F",
  pageUp: "\x1b[5~",
  pageDown: "\x1b[6~",
  backspace: "\x7f",
  f1: "\x1bOP",
  ctrl: (letter: string): string => String.fromCharCode(letter.toLowerCase().charCodeAt(0) - 96),
  ctrlEnter: "\x1b[13;5u",
} as const;

export interface RenderedApp {
  services: Services;
  configDir: string;
  /** The last frame as plain text (styles stripped). */
  frame(): string;
  /** The last frame with its escape codes. */
  rawFrame(): string;
  /** Everything written to the terminal so far, write by write. */
  writes(): readonly string[];
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitFor(check: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  resize(columns: number, rows: number): Promise<void>;
  exited: () => boolean;
  cleanup(): void;
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function renderApp(opts: {
  serverUrl: string;
  tokens?: Tokens;
  columns?: number;
  rows?: number;
  configDir?: string;
  timeoutMs?: number;
  colors?: boolean;
}): RenderedApp {
  const configDir = opts.configDir ?? mkdtempSync(join(tmpdir(), "niotebook-client-"));
  if (opts.tokens) new SessionStore(configDir, opts.serverUrl).save(opts.tokens);
  const services = createServices({
    serverUrl: opts.serverUrl,
    configDir,
    colors: opts.colors ?? false,
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  let exited = false;
  const tree = (columns: number, rows: number) => (
    <FixedTerminalSize size={{ columns, rows }}>
      <ServicesProvider value={services}>
        <App onExit={() => (exited = true)} />
      </ServicesProvider>
    </FixedTerminalSize>
  );
  const instance = render(tree(opts.columns ?? 80, opts.rows ?? 24));
  const rawFrame = (): string => instance.lastFrame() ?? "";
  const frame = (): string => stripVTControlCharacters(rawFrame());
  return {
    services,
    configDir,
    frame,
    rawFrame,
    writes: () => (instance.stdout as unknown as { frames: string[] }).frames,
    async press(...keys) {
      for (const key of keys) {
        instance.stdin.write(key);
        await tick(5);
      }
      await tick(10);
    },
    async type(text) {
      instance.stdin.write(text);
      await tick(20);
    },
    async waitFor(check, timeoutMs = 4_000) {
      const test =
        typeof check === "function" ? check : typeof check === "string" ? (f: string) => f.includes(check) : (f: string) => check.test(f);
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (test(frame())) return frame();
        await tick(10);
      }
      throw new Error(`Timed out waiting for ${String(check)}. Last frame:\n${frame()}`);
    },
    async resize(columns, rows) {
      instance.rerender(tree(columns, rows));
      await tick(10);
    },
    exited: () => exited,
    cleanup() {
      instance.unmount();
      instance.cleanup();
      if (!opts.configDir) rmSync(configDir, { recursive: true, force: true });
    },
  };
}
