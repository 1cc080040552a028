// The setup the client test files share: a fresh fake API (social routes on) for each test, and
// an app rendered against it that is cleaned up after the test.
import { afterEach, beforeEach } from "vitest";
import { startFakeApi, type FakeApi } from "./fake-api.js";
import { renderApp, type RenderedApp } from "./render-app.js";

export interface FakeSession {
  /** This test's fake API. */
  readonly fake: FakeApi;
  /** Renders the app against the fake API, logged in as its user unless `tokens` says otherwise. */
  render(opts?: Omit<Parameters<typeof renderApp>[0], "serverUrl">): RenderedApp;
}

/** Call at the top of a test file: starts and closes the fake API and the app around each test. */
export function fakeSession(): FakeSession {
  let fake: FakeApi | null = null;
  let app: RenderedApp | null = null;
  beforeEach(async () => {
    fake = await startFakeApi({ social: true });
  });
  afterEach(async () => {
    app?.cleanup();
    app = null;
    await fake?.close();
    fake = null;
  });
  const current = (): FakeApi => {
    if (!fake) throw new Error("the fake API runs only inside a test");
    return fake;
  };
  return {
    get fake() {
      return current();
    },
    render(opts = {}) {
      const api = current();
      app = renderApp({ tokens: api.tokens, ...opts, serverUrl: api.url });
      return app;
    },
  };
}
