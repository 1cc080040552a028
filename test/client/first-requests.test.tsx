// main.tsx starts FIRST_TUI_REQUESTS (ApiClient.prefetch) before the TUI's code has loaded, so a
// stored session's first answers are on their way early (docs/startup.md). The list must be what
// the TUI itself asks first, path and query: a request the TUI asks instead would not find the
// prefetched answer and wait as before, and one it no longer asks would be wasted, both silently.
// Who follows anyone opens on Home, anyone else on Global, so the list holds both first pages.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIRST_TUI_REQUESTS } from "../../src/client/api-client.js";
import { startFakeApi, type FakeApi } from "./helpers/fake-api.js";
import { renderApp, type RenderedApp } from "./helpers/render-app.js";

let fake: FakeApi;
let app: RenderedApp | null = null;
beforeEach(async () => {
  fake = await startFakeApi({ social: true });
});
afterEach(async () => {
  app?.cleanup();
  app = null;
  await fake.close();
});

/** The GETs the TUI sent, in order, as path and query (as FIRST_TUI_REQUESTS spells them). */
const asked = (): string[] =>
  fake.stub.requests.filter((r) => r.method === "GET").map((r) => `${r.path}${r.query.size > 0 ? `?${r.query.toString()}` : ""}`);
/** What the TUI asks before its first timeline is on the screen: up to and with that page. */
async function firstRequests(frameShows: (frame: string) => boolean): Promise<string[]> {
  app = renderApp({ serverUrl: fake.url, tokens: fake.tokens });
  await app.waitFor(frameShows);
  const requests = asked();
  const firstPage = requests.findIndex((path) => path.startsWith("/api/v1/timeline"));
  expect(firstPage).toBeGreaterThanOrEqual(0);
  return requests.slice(0, firstPage + 1);
}

describe("FIRST_TUI_REQUESTS, the prefetch of a stored session's start", () => {
  it("is what the TUI asks first for someone who follows nobody (Global)", async () => {
    fake.addPosts(1);
    const first = await firstRequests((f) => f.includes("[2 Global]") && f.includes("Post number 1 "));
    expect(first).toEqual(["/api/v1/users/me", "/api/v1/timeline"]);
    expect(FIRST_TUI_REQUESTS).toEqual(expect.arrayContaining(first));
  });

  it("is, with the Home page it opens on, all the TUI asks first for someone who follows anyone", async () => {
    const bob = fake.users[1]!;
    fake.follow(fake.me, bob);
    fake.addPosts(1, bob);
    const first = await firstRequests((f) => f.includes("[1 Home]") && f.includes("Post number 1 by bob"));
    const home = asked().find((path) => path.startsWith("/api/v1/timeline/home"));
    expect(home).toBeDefined();
    // Nothing missing and nothing more: the prefetch asks exactly what this start asks first.
    expect(new Set(FIRST_TUI_REQUESTS)).toEqual(new Set([...first, home]));
  });
});
