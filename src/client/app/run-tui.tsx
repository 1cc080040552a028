// Opens the full-screen client against a server and resolves when the user quits.
import { render } from "ink";
import { ApiClient } from "../api-client.js";
import { DraftStore } from "../config/draft-store.js";
import { SessionStore } from "../config/session-store.js";
import { colorsWanted, createTheme } from "../theme.js";
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON } from "../keys/parse-key.js";
import { App } from "./App.js";
import { ServicesProvider, type Services } from "./services.js";

const ENTER_ALT_SCREEN = "\x1b[?1049h\x1b[H";
const LEAVE_ALT_SCREEN = "\x1b[?1049l";

export function createServices(opts: {
  serverUrl: string; configDir: string; configuredServer?: string | undefined; homeServer?: string | undefined; colors: boolean;
  fetch?: typeof fetch; timeoutMs?: number;
  /** Made already (main.tsx starts its first requests before this module loads). */
  api?: ApiClient;
}): Services {
  return {
    api: opts.api ?? new ApiClient({
      baseUrl: opts.serverUrl,
      session: new SessionStore(opts.configDir, opts.serverUrl, opts.configuredServer, opts.homeServer),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    }),
    drafts: new DraftStore(opts.configDir, opts.serverUrl),
    theme: createTheme(opts.colors),
    now: () => new Date(),
  };
}

export async function runTui(opts: { serverUrl: string; configDir: string; configuredServer?: string | undefined; homeServer?: string | undefined; api?: ApiClient }): Promise<void> {
  const services = createServices({
    ...opts,
    colors: colorsWanted(process.env, process.stdout),
  });
  process.stdout.write(ENTER_ALT_SCREEN + BRACKETED_PASTE_ON);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    process.stdout.write(`${BRACKETED_PASTE_OFF}${LEAVE_ALT_SCREEN}\x1b[?25h`);
  };
  // Even a crash must hand the terminal back (the draft is already on disk).
  process.once("exit", restore);
  const instance = render(
    <ServicesProvider value={services}>
      <App />
    </ServicesProvider>,
    { exitOnCtrlC: false, maxFps: 60, patchConsole: true, kittyKeyboard: { mode: "auto" } },
  );
  const onSignal = (): void => instance.unmount();
  process.once("SIGTERM", onSignal);
  process.once("SIGHUP", onSignal);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    instance.cleanup();
    restore();
  }
}
