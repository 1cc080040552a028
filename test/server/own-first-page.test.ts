// The global timeline's first page for a reader who blocks or mutes someone, cut from the
// first-page cache's rows (safety/reader-filter.ts ownFirstPage): the same page the filtered
// query gives, hidden authors left out, at once after a block, unblock, mute or like, and the
// query when the cached rows cannot fill the page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishPost } from "../../src/server/social/publish.js";
import { filteredTimelinePage } from "../../src/server/safety/reader-filter.js";
import { BACKENDS, signUp, startTestServer, type TestClient, type TestServer } from "./harness.js";
import { makeUsers } from "./social-helpers.js";

interface Page { posts: Array<{ id: string; author_id: string; liked: boolean }>; next_cursor: string | null; has_more: boolean }

describe.each(BACKENDS)("a reader's own first page on %s", (backend) => {
  let server: TestServer;
  let reader: { client: TestClient; id: string };
  let authors: string[];

  beforeAll(async () => {
    server = await startTestServer(backend);
    const made = await signUp(server.app, `ownpage${backend.slice(0, 2)}`);
    reader = { client: made.client, id: made.auth.user.id };
    authors = await makeUsers(server.ctx.db, "own", 4);
    // 160 posts, newest last: authors 0..3 in turn; author 3 wrote only the 40 oldest.
    for (let i = 0; i < 160; i++) {
      const author = i < 40 ? authors[3]! : authors[i % 3]!;
      await publishPost(server.ctx.db, { authorId: author, content: `post ${i}` });
    }
  }, 120_000);
  afterAll(() => server.close());

  const page = async (limit = 50): Promise<Page> => {
    const res = await reader.client.get(`/api/v1/timeline?limit=${limit}`);
    expect(res.statusCode).toBe(200);
    return res.json() as Page;
  };
  /** What the filtered query answers, in the API's shape (ids and has_more). */
  const expected = async (limit = 50) => {
    const rows = await filteredTimelinePage(server.ctx.db, reader.id, undefined, limit);
    return { ids: rows.slice(0, limit).map((p) => p.id), has_more: rows.length > limit };
  };

  it("leaves out blocked and muted authors, as the filtered query does, and follows each change at once", async () => {
    const before = await page();
    expect(before.posts.map((p) => p.author_id)).toContain(authors[0]);
    expect((await reader.client.post(`/api/v1/users/${authors[0]}/block`)).statusCode).toBe(200);
    let got = await page();
    expect(got.posts.some((p) => p.author_id === authors[0])).toBe(false);
    expect({ ids: got.posts.map((p) => p.id), has_more: got.has_more }).toEqual(await expected());
    expect(got.posts).toHaveLength(50);
    // The cursor goes on where the filtered list does.
    const next = (await reader.client.get(`/api/v1/timeline?limit=50&cursor=${got.next_cursor}`)).json() as Page;
    expect(next.posts.some((p) => p.author_id === authors[0])).toBe(false);
    expect(next.posts[0]!.id).not.toBe(got.posts[49]!.id);

    expect((await reader.client.post(`/api/v1/users/${authors[1]}/mute`)).statusCode).toBe(200);
    got = await page(20);
    expect(got.posts.some((p) => [authors[0], authors[1]].includes(p.author_id))).toBe(false);
    expect({ ids: got.posts.map((p) => p.id), has_more: got.has_more }).toEqual(await expected(20));

    // A like shows on the reader's own page at once.
    const liked = got.posts[3]!.id;
    expect((await reader.client.post(`/api/v1/posts/${liked}/like`)).statusCode).toBe(200);
    got = await page(20);
    expect(got.posts.find((p) => p.id === liked)!.liked).toBe(true);
    expect(got.posts.filter((p) => p.liked)).toHaveLength(1);

    expect((await reader.client.delete(`/api/v1/users/${authors[0]}/block`)).statusCode).toBe(200);
    expect((await reader.client.delete(`/api/v1/users/${authors[1]}/mute`)).statusCode).toBe(200);
    got = await page();
    expect(got.posts.map((p) => p.id)).toEqual(before.posts.map((p) => p.id));
  });

  it("when the cached rows cannot fill the page, the query does", async () => {
    // Authors 0, 1 and 2 wrote the newest 120 posts: with all three hidden the cached 101 rows
    // hold none for this reader; only author 3's 40 older posts remain.
    for (const author of authors.slice(0, 3)) expect((await reader.client.post(`/api/v1/users/${author}/mute`)).statusCode).toBe(200);
    const got = await page();
    expect(got.posts).toHaveLength(40);
    expect(new Set(got.posts.map((p) => p.author_id))).toEqual(new Set([authors[3]]));
    expect({ ids: got.posts.map((p) => p.id), has_more: got.has_more }).toEqual(await expected());
    for (const author of authors.slice(0, 3)) await reader.client.delete(`/api/v1/users/${author}/mute`);
  });
});
