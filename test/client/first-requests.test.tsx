// main.tsx starts FIRST_TUI_REQUESTS (ApiClient.prefetch) before the TUI's code has loaded, so a
// stored session's first answers are on their way early (docs/startup.md). The list must be what
// the TUI itself asks first, path and query: a request the TUI asks instead would not find the
// prefetched answer and wait as before, and one it no longer asks would be wasted, both silently.
// Who follows anyone opens on Home, anyone else on Global, so the list holds both first pages.
import { describe, expect, it } from "vitest";
import { FIRST_TUI_REQUESTS } from "../../src/client/api-client.js";
import { fakeSession } from "./helpers/fake-session.js";

const session = fakeSession();

/** The GETs the TUI sent, in order, as path and query (as FIRST_TUI_REQUESTS spells them). */
const asked = (): string[] =>
  session.fake.stub.requests.filter((r) => r.method === "GET").map((r) => `${r.path}${r.query.size > 0 ? `?${r.query.toString()}` : ""}`);
/** What the TUI asks before its first timeline is on the screen: up to and with that page. */
async function firstRequests(frameShows: (frame: string) => boolean): Promise<string[]> {
  await session.render().waitFor(frameShows);
  const requests = asked();
  const firstPage = requests.findIndex((path) => path.startsWith("/api/v1/timeline"));
  expect(firstPage).toBeGreaterThanOrEqual(0);
  return requests.slice(0, firstPage + 1);
}

describe("FIRST_TUI_REQUESTS, the prefetch of a stored session's start", () => {
  it("is what the TUI asks first for someone who follows nobody (Global)", async () => {
    session.fake.addPosts(1);
    const first = await firstRequests((f) => f.includes("[2 Global]") && f.includes("Post number 1 "));
    expect(first).toEqual(["/api/v1/users/me", "/api/v1/timeline"]);
    expect(FIRST_TUI_REQUESTS).toEqual(expect.arrayContaining(first));
  });

  it("is, with the Home page it opens on, all the TUI asks first for someone who follows anyone", async () => {
    const { fake } = session;
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
