import { FormatRegistry } from "@sinclair/typebox";
import fc from "fast-check";
import { Value } from "@sinclair/typebox/value";
import { sql } from "kysely";
import { PostPage, sharedSchemas } from "../../src/api/index.js";
import {
  createdAtKey, encodeCursor, fetchSize, paginate, parsePageRequest, serialKeyset, timeIdKeyset, toPage,
  type Direction, type Keyset,
} from "../../src/server/db/pagination.js";
import { ApiError } from "../../src/server/http/errors.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, errorOf, signUp, startTestServer, type TestClient, type TestServer } from "./harness.js";

// The two formats the contract's post schema uses, for checking bodies with TypeBox.
FormatRegistry.Set("uuid", (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v));
FormatRegistry.Set("date-time", (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v));

interface Page { posts: Array<{ id: string; created_at: string; author?: unknown; author_id: string }>; next_cursor: string | null; has_more: boolean }

async function walk(client: TestClient, path: string, limit: number): Promise<{ ids: string[]; pages: Page[] }> {
  const ids: string[] = [];
  const pages: Page[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await client.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.statusCode).toBe(200);
    const page = res.json() as Page;
    // Pages are serialised outside Fastify's schema serialiser: the body must still be exactly
    // the contract's shape, with nothing extra in any post or author.
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect([...Value.Errors(PostPage, sharedSchemas, page)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    pages.push(page);
    ids.push(...page.posts.map((p) => p.id));
    expect(page.next_cursor === null).toBe(!page.has_more);
    if (!page.has_more) break;
    cursor = page.next_cursor;
  }
  return { ids, pages };
}

describe.each(BACKENDS)("paging on %s", (backend) => {
  let server: TestServer;
  let reader: TestClient;
  let authorId: string;
  const TOTAL = 130;
  const TIED = 60;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const author = await signUp(server.app, "writer");
    authorId = author.auth.user.id;
    reader = (await signUp(server.app, "reader")).client;
    // 60 posts share one created_at; the rest are spread out, some older, some newer.
    await sql`INSERT INTO posts (author_id, content, created_at)
      SELECT ${authorId}::uuid, 'tied ' || g, '2026-01-01T12:00:00.123456Z'::timestamptz FROM generate_series(1, ${TIED}) g`.execute(server.ctx.db);
    await sql`INSERT INTO posts (author_id, content, created_at)
      SELECT ${authorId}::uuid, 'spread ' || g, '2026-01-01T12:00:00.123456Z'::timestamptz + (g - 35) * interval '1 minute 1 microsecond'
      FROM generate_series(1, ${TOTAL - TIED}) g WHERE g <> 35`.execute(server.ctx.db);
    await sql`INSERT INTO posts (author_id, content, created_at) VALUES (${authorId}::uuid, 'one more', '2025-06-01T00:00:00Z')`.execute(server.ctx.db);
  });
  afterAll(() => server.close());

  const expectedOrder = async () => {
    const rows = await server.ctx.db.selectFrom("posts").select("id").orderBy("created_at", "desc").orderBy("id", "desc").execute();
    return rows.map((r) => r.id);
  };

  it.each([1, 7, 20, 50, 100])("walks the whole timeline with limit=%i: every post once, in order", async (limit) => {
    const { ids, pages } = await walk(reader, "/api/v1/timeline", limit);
    expect(ids).toEqual(await expectedOrder());
    expect(new Set(ids).size).toBe(ids.length);
    for (const page of pages.slice(0, -1)) expect(page.posts).toHaveLength(limit);
    expect(pages.at(-1)!.has_more).toBe(false);
  });

  it("has_more is exact: a page that ends exactly at the last post says false", async () => {
    const all = await expectedOrder();
    expect(all.length % 2).toBe(0);
    const { pages } = await walk(reader, "/api/v1/timeline", all.length / 2);
    expect(pages).toHaveLength(2);
    expect(pages[0]!.has_more).toBe(true);
    expect(pages[1]!.posts).toHaveLength(all.length / 2);
    expect(pages[1]!).toMatchObject({ has_more: false, next_cursor: null });
  });

  it("embeds the author on the timeline and omits it in a user's posts", async () => {
    const timeline = (await reader.get("/api/v1/timeline?limit=3")).json() as Page;
    for (const p of timeline.posts) expect(p.author).toMatchObject({ id: authorId, username: "writer" });
    const own = (await reader.get(`/api/v1/users/${authorId}/posts?limit=3`)).json() as Page;
    for (const p of own.posts) {
      expect(p).not.toHaveProperty("author");
      expect(p.author_id).toBe(authorId);
    }
  });

  it("walks a user's posts the same way, by id, me and @username", async () => {
    const expected = await expectedOrder();
    for (const path of [`/api/v1/users/${authorId}/posts`, "/api/v1/users/@WRITER/posts"]) {
      expect((await walk(reader, path, 25)).ids).toEqual(expected);
    }
    expect((await walk(reader, "/api/v1/users/me/posts", 25)).ids).toEqual([]);
  });

  it("keeps working after the cursor's post is deleted, and new posts never shift older pages", async () => {
    const first = (await reader.get("/api/v1/timeline?limit=10")).json() as Page;
    const lastId = first.posts.at(-1)!.id;
    await server.ctx.db.deleteFrom("posts").where("id", "=", lastId).execute();
    await sql`INSERT INTO posts (author_id, content) VALUES (${authorId}::uuid, 'brand new')`.execute(server.ctx.db);
    const second = (await reader.get(`/api/v1/timeline?limit=10&cursor=${first.next_cursor}`)).json() as Page;
    const expected = (await expectedOrder());
    const start = expected.indexOf(first.posts.at(-2)!.id) + 1;
    expect(second.posts.map((p) => p.id)).toEqual(expected.slice(start, start + 10));
  });

  it("accepts an RFC 3339 timestamp as cursor: posts strictly before that instant", async () => {
    const page = (await reader.get(`/api/v1/timeline?limit=100&cursor=${encodeURIComponent("2026-01-01T12:00:00.123456Z")}`)).json() as Page;
    expect(page.posts.length).toBeGreaterThan(0);
    for (const p of page.posts) expect(p.created_at < "2026-01-01T12:00:00.123456Z").toBe(true);
    const offset = (await reader.get(`/api/v1/timeline?limit=100&cursor=${encodeURIComponent("2026-01-01T13:00:00.123457+01:00")}`)).json() as Page;
    expect(offset.posts.map((p) => p.id)).toEqual(
      (await reader.get(`/api/v1/timeline?limit=100&cursor=${encodeURIComponent("2026-01-01T12:00:00.123457Z")}`)).json().posts.map((p: { id: string }) => p.id));
    expect(offset.posts.filter((p) => p.created_at === "2026-01-01T12:00:00.123456Z")).toHaveLength(60);
  });

  it("takes any RFC 3339 offset in a timestamp cursor, even those PostgreSQL refuses (beyond ±15:59)", async () => {
    const idsAt = async (path: string, cursor: string): Promise<string[]> => {
      const res = await reader.get(`${path}?limit=100&cursor=${encodeURIComponent(cursor)}`);
      expect(res.statusCode, cursor).toBe(200);
      return (res.json() as Page).posts.map((p) => p.id);
    };
    for (const path of ["/api/v1/timeline", `/api/v1/users/${authorId}/posts`]) {
      const utc = await idsAt(path, "2026-01-01T12:00:00.123457Z");
      expect(utc.length).toBeGreaterThan(0);
      expect(await idsAt(path, "2026-01-02T04:00:00.123457+16:00")).toEqual(utc);
      expect(await idsAt(path, "2025-12-31T12:01:00.123457-23:59")).toEqual(utc);
      expect(await idsAt(path, "9999-12-31T23:59:59-23:59")).toHaveLength(100);
      expect(await idsAt(path, "0001-01-01T00:00:00+23:59")).toEqual([]);
    }
  });

  it("an RFC 3339 cursor inside a microsecond (digits past the sixth) keeps that microsecond's posts, on both pages", async () => {
    const inside = encodeURIComponent("2026-01-01T12:00:00.1234561Z");
    for (const path of ["/api/v1/timeline", `/api/v1/users/${authorId}/posts`]) {
      const page = (await reader.get(`${path}?limit=100&cursor=${inside}`)).json() as Page;
      expect(page.posts.filter((p) => p.created_at === "2026-01-01T12:00:00.123456Z")).toHaveLength(TIED);
      for (const p of page.posts) expect(p.created_at <= "2026-01-01T12:00:00.123456Z").toBe(true);
    }
  });

  it.each(["abc", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01", "%00", "eyJ4IjoxfQ", "0000-01-01T00:00:00Z"])(
    "refuses cursor %j with validation_error on cursor", async (cursor) => {
      const res = await reader.get(`/api/v1/timeline?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "cursor" });
    });

  it.each(["0", "101", "-1", "1.5", "abc", "1e2", "0101", "%207", "7%20", "%2B7", "99999999999999999999999"])("refuses limit=%s with validation_error on limit", async (limit) => {
    const res = await reader.get(`/api/v1/timeline?limit=${limit}`);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "limit" });
  });

  it.each(["0007", "00007", "0000000000000000000000007"])("reads limit=%s as 7, leading zeros and all", async (limit) => {
    const res = await reader.get(`/api/v1/timeline?limit=${limit}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().posts).toHaveLength(7);
  });

  it("treats empty query values as absent and defaults limit to 50", async () => {
    const res = await reader.get("/api/v1/timeline?limit=&cursor=");
    expect(res.statusCode).toBe(200);
    expect(res.json().posts).toHaveLength(50);
    expect(errorOf(await reader.get("/api/v1/timeline?limit=1&limit=2")).field).toBe("limit");
  });

  it("answers an empty list as [] with a null cursor", async () => {
    const { client, auth } = await signUp(server.app, "quiet");
    expect((await client.get(`/api/v1/users/${auth.user.id}/posts`)).json()).toEqual({ posts: [], next_cursor: null, has_more: false });
  });

  it("404s the posts of an unknown user", async () => {
    expect(errorOf(await reader.get("/api/v1/users/00000000-0000-4000-8000-000000000000/posts")).code).toBe("not_found");
    expect((await reader.get("/api/v1/users/@nobody_here/posts")).statusCode).toBe(404);
    // The spec is silent on order; ours: a segment naming nobody is 404 at once, otherwise the
    // query string is checked before the database is asked.
    expect((await reader.get("/api/v1/users/not-a-user/posts?limit=0")).statusCode).toBe(404);
    expect(errorOf(await reader.get("/api/v1/users/@nobody_here/posts?limit=0")).field).toBe("limit");
  });

  it("binds a cursor to its list: another list's cursor is 400, the same list by another name is not", async () => {
    const { client: other, auth } = await signUp(server.app, "other");
    await other.post("/api/v1/posts", { content: "mine" });
    await other.post("/api/v1/posts", { content: "mine too" });
    const cursorOf = async (path: string) => ((await reader.get(`${path}?limit=1`)).json() as Page).next_cursor!;
    const timeline = await cursorOf("/api/v1/timeline");
    const writers = await cursorOf(`/api/v1/users/${authorId}/posts`);
    const others = await cursorOf(`/api/v1/users/${auth.user.id}/posts`);
    const refused = async (path: string, cursor: string) => {
      const res = await reader.get(`${path}?limit=1&cursor=${cursor}`);
      expect(res.statusCode, `${path} ${cursor}`).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: "validation_error", field: "cursor" });
    };
    await refused(`/api/v1/users/${authorId}/posts`, timeline);
    await refused("/api/v1/users/@writer/posts", timeline);
    await refused("/api/v1/timeline", writers);
    await refused(`/api/v1/users/${auth.user.id}/posts`, writers);
    await refused("/api/v1/users/@other/posts", writers);
    // One list, whichever way the user is named: by id, @username and (for its owner) me.
    for (const path of [`/api/v1/users/${auth.user.id}/posts`, "/api/v1/users/@OTHER/posts"]) {
      expect((await reader.get(`${path}?limit=1&cursor=${others}`)).statusCode).toBe(200);
    }
    const own = await other.get(`/api/v1/users/me/posts?limit=1&cursor=${others}`);
    expect(own.statusCode).toBe(200);
    expect((own.json() as { posts: Array<{ content: string }> }).posts.map((p) => p.content)).toEqual(["mine"]);
  });

  it("answers any cursor or limit 200 or 400, never 500", async () => {
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.base64String({ maxLength: 80 }),
      fc.string({ unit: "binary", maxLength: 60 }).map((t) => Buffer.from(t).toString("base64url")));
    await fc.assert(fc.asyncProperty(fc.constantFrom("/api/v1/timeline", `/api/v1/users/${authorId}/posts`, "/api/v1/users/@writer/posts"),
      text, fc.option(text), async (path, cursor, limit) => {
        const res = await reader.get(`${path}?cursor=${encodeURIComponent(cursor)}${limit === null ? "" : `&limit=${encodeURIComponent(limit)}`}`);
        if (res.statusCode !== 200) {
          expect(res.statusCode).toBe(400);
          expect(["cursor", "limit"]).toContain(errorOf(res).field);
        }
      }), { numRuns: 150 });
  });

  describe("the paginator on any keyset", () => {
    // A table of its own, so keys of every kind and ties can be laid out at will.
    const rows = 57;
    beforeAll(async () => {
      await sql`CREATE TABLE pager (n bigint PRIMARY KEY, at timestamptz NOT NULL, id uuid NOT NULL DEFAULT gen_random_uuid())`.execute(server.ctx.db);
      // Every fourth row ties with its neighbour on the timestamp.
      await sql`INSERT INTO pager (n, at) SELECT g * 3, '2026-01-01T00:00:00Z'::timestamptz + (g / 4) * interval '1 microsecond'
        FROM generate_series(1, ${rows}) g`.execute(server.ctx.db);
    });

    type Row = { n: string; at: string; id: string };
    const select = () => server.ctx.db.selectFrom(sql<Row>`pager`.as("pager"))
      .select([sql<string>`n::text`.as("n"), sql<string>`to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("at"), sql<string>`id::text`.as("id")]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- because the list mixes Keyset<PageKey> and Keyset<SerialKey>, and Keyset is invariant in its key
    const lists: Array<{ name: string; keyset: Keyset<any>; keyOf: (row: Row) => unknown; order: string }> = [
      { name: "pager-time", keyset: timeIdKeyset("pager.at", "pager.id"), keyOf: (row) => createdAtKey({ id: row.id, created_at: row.at }), order: "pager.at {d}, pager.id {d}" },
      { name: "pager-serial", keyset: serialKeyset("pager.n"), keyOf: (row) => ({ id: row.n }), order: "pager.n {d}" },
    ];

    async function walkList(list: (typeof lists)[number], direction: Direction, limit: number): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < rows + 2; i++) {
        const request = parsePageRequest({ cursor, limit: String(limit) }, list.name, list.keyset);
        const fetched = await paginate(select(), list.keyset, request.after, direction).limit(fetchSize(request.limit)).execute();
        const page = toPage(fetched, request, list.keyset, list.keyOf);
        expect(page.items.length).toBe(page.has_more ? limit : page.items.length);
        seen.push(...page.items.map((r) => r.n));
        if (!page.has_more) return seen;
        cursor = page.next_cursor!;
      }
      throw new Error("the walk did not end");
    }

    it.each(lists.flatMap((list) => (["desc", "asc"] as const).map((d) => [list.name, d] as const)))(
      "walks %s %s to the end: every row once, in order, whatever the page size", async (name, direction) => {
        const list = lists.find((l) => l.name === name)!;
        const expected = (await sql<{ n: string }>`SELECT n::text AS n FROM pager ORDER BY ${sql.raw(list.order.replaceAll("{d}", direction))}`.execute(server.ctx.db)).rows.map((r) => r.n);
        await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 100 }), async (limit) => {
          expect(await walkList(list, direction, limit)).toEqual(expected);
        }), { numRuns: 8 });
      });

    it("refuses another list's cursor, a cursor of another keyset, and garbage, with 400 on cursor", () => {
      const time = timeIdKeyset("pager.at", "pager.id");
      const serial = serialKeyset("pager.n");
      const timeCursor = encodeCursor("a", time, { createdAt: "2026-01-01T00:00:00.000000Z", id: "0d1e2f30-4a5b-4c6d-8e7f-901234567890" });
      expect(parsePageRequest({ cursor: timeCursor }, "a", time).after).toEqual({ createdAt: "2026-01-01T00:00:00.000000Z", id: "0d1e2f30-4a5b-4c6d-8e7f-901234567890" });
      const refused = (cursor: string, list: string, keyset: Keyset<unknown>) => {
        try {
          parsePageRequest({ cursor }, list, keyset);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect(error).toMatchObject({ code: "validation_error", field: "cursor" });
          return;
        }
        throw new Error(`accepted ${cursor} for ${list}`);
      };
      refused(timeCursor, "b", time);
      refused(timeCursor, "a", serial);
      refused(encodeCursor("a", serial, { id: "9223372036854775808" }), "a", serial);
      refused("2026-01-01T00:00:00Z", "a", time); // timestamps are cursors of the v1 lists only
      fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 80 }), (cursor) => {
        if (cursor !== "") refused(cursor, "a", serial);
      }));
      expect(() => parsePageRequest({ limit: "0" }, "a", time)).toThrow(expect.objectContaining({ field: "limit" }));
    });
  });
});
