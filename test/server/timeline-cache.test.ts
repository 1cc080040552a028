// The first timeline page comes from memory, yet a writer always sees its own post (or its
// deletion) in its next request — on PostgreSQL even when another process answers, with the
// shared version read at most once at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Post } from "../../src/api/index.js";
import { buildApp } from "../../src/server/app.js";
import { createAppContext } from "../../src/server/context.js";
import { FirstPageCache } from "../../src/server/timeline/first-page-cache.js";
import { coalesced } from "../../src/server/timeline/versions.js";
import type { App } from "../../src/server/http/types.js";
import { BACKENDS, TestClient, signUp, startTestServer, type TestServer } from "./harness.js";

const post = (id: string): Post => ({ id, author_id: id, content: id, created_at: "2026-01-01T00:00:00.000000Z" });

describe("FirstPageCache", () => {
  it("serves from memory for at most a second, and never keeps a load an invalidation overtook", async () => {
    let now = 0;
    let loads = 0;
    let release: ((rows: Post[]) => void) | undefined;
    const cache = new FirstPageCache(() => {
      loads++;
      return loads === 2 ? new Promise((r) => (release = r)) : Promise.resolve([post(`load${loads}`)]);
    }, () => now);
    expect((await cache.newest(50))[0]!.id).toBe("load1");
    expect((await cache.newest(50))[0]!.id).toBe("load1");
    expect(loads).toBe(1);
    now = 1_000;
    const slow = cache.newest(50);
    cache.invalidate();
    const fresh = await cache.newest(50);
    expect(fresh[0]!.id).toBe("load3");
    release!([post("stale")]);
    expect((await slow)[0]!.id).toBe("stale");
    expect((await cache.newest(50))[0]!.id).toBe("load3");
    cache.enabled = false;
    expect((await cache.newest(50))[0]!.id).toBe("load4");
  });

  it("returns limit+1 rows so has_more stays exact", async () => {
    const cache = new FirstPageCache(async () => Array.from({ length: 101 }, (_, i) => post(String(i))));
    expect(await cache.newest(1)).toHaveLength(2);
    expect(await cache.newest(100)).toHaveLength(101);
  });
});

describe.each(BACKENDS)("first-page freshness on %s", (backend) => {
  let server: TestServer;
  let second: App | undefined;
  beforeAll(async () => {
    // On PostgreSQL, as with NIOTEBOOK_WORKERS above 1: several processes share the database.
    server = await startTestServer(backend, backend === "postgres" ? { NIOTEBOOK_WORKERS: "2" } : {});
    if (backend === "postgres") {
      // A second process on the same database: its own context, cache and LISTEN connection.
      const ctx = createAppContext(server.ctx.config, server.runtime.database, server.runtime.jwtSecret);
      second = await buildApp(ctx);
    }
  });
  afterAll(async () => {
    await second?.close();
    await server.close();
  });

  it("shows the writer its new post and hides its deleted post in the very next request", async () => {
    const { client } = await signUp(server.app, "fresh_writer");
    // The other process reads first: the very first post of a new database must reach it too.
    const readers = [...(second ? [new TestClient(second, client.token)] : []), client];
    for (const reader of readers) await reader.get("/api/v1/timeline?limit=5"); // warm every cache
    for (let i = 0; i < 10; i++) {
      const created = (await client.post("/api/v1/posts", { content: `fresh ${i}` })).json().post as Post;
      const reader = readers[i % readers.length]!;
      const page = await reader.get("/api/v1/timeline?limit=5");
      expect(page.json().posts?.[0]?.id, page.body).toBe(created.id);
      expect((await client.delete(`/api/v1/posts/${created.id}`)).statusCode).toBe(204);
      const after = (await readers[(i + 1) % readers.length]!.get("/api/v1/timeline?limit=5")).json().posts as Post[];
      expect(after.map((p) => p.id)).not.toContain(created.id);
    }
  });

  it("shows the writer its edited profile on its posts in the very next request", async () => {
    const { client } = await signUp(server.app, "renamed_writer");
    const readers = [client, ...(second ? [new TestClient(second, client.token)] : [])];
    await client.post("/api/v1/posts", { content: "my name is about to change" });
    for (const reader of readers) await reader.get("/api/v1/timeline?limit=5"); // warm every cache
    for (let i = 0; i < 4; i++) {
      expect((await client.patch("/api/v1/users/me", { display_name: `Renamed ${i}`, bio: `bio ${i}` })).statusCode).toBe(200);
      const author = ((await readers[i % readers.length]!.get("/api/v1/timeline?limit=5")).json().posts as Post[])[0]!.author!;
      expect([author.display_name, author.bio]).toEqual([`Renamed ${i}`, `bio ${i}`]);
    }
  });

  // Pages below the first are shared the same way (timeline/shared-pages.ts).
  it("drops a deleted post from a deep page, and shows an author's edit there, in the very next request", async () => {
    const { client } = await signUp(server.app, "deep_writer");
    const readers = [client, ...(second ? [new TestClient(second, client.token)] : [])];
    const mine: Post[] = [];
    for (let i = 0; i < 6; i++) mine.push((await client.post("/api/v1/posts", { content: `deep ${i}` })).json().post as Post);
    // Newest first: mine[5], mine[4] on the first page; the deep page below starts at mine[3].
    const cursor = (await client.get("/api/v1/timeline?limit=2")).json().next_cursor as string;
    const deep = (reader: TestClient) => reader.get(`/api/v1/timeline?limit=2&cursor=${cursor}`);
    for (const reader of readers) expect(((await deep(reader)).json().posts as Post[]).map((p) => p.id)).toEqual([mine[3]!.id, mine[2]!.id]);
    for (let i = 0; i < 2; i++) {
      expect((await client.delete(`/api/v1/posts/${mine[3 - i]!.id}`)).statusCode).toBe(204);
      const after = (await deep(readers[i % readers.length]!)).json().posts as Post[];
      expect(after.map((p) => p.id)).toEqual([mine[2 - i]!.id, mine[1 - i]!.id]);
      expect((await client.patch("/api/v1/users/me", { display_name: `Deep ${i}` })).statusCode).toBe(200);
      const renamed = (await deep(readers[(i + 1) % readers.length]!)).json().posts as Post[];
      expect(renamed.map((p) => p.author!.display_name)).toEqual([`Deep ${i}`, `Deep ${i}`]);
    }
  });

  it("shows a post written before a timestamp cursor still in the future in the very next request", async () => {
    const { client } = await signUp(server.app, "future_reader");
    const readers = [client, ...(second ? [new TestClient(second, client.token)] : [])];
    const future = "/api/v1/timeline?limit=3&cursor=9999-01-01T00:00:00Z";
    for (const reader of readers) await reader.get(future); // warm every cache
    for (let i = 0; i < 4; i++) {
      const created = (await client.post("/api/v1/posts", { content: `before the future ${i}` })).json().post as Post;
      expect(((await readers[i % readers.length]!.get(future)).json().posts as Post[])[0]!.id).toBe(created.id);
    }
  });

  it("gives each reader of a shared deep page their own liked and reposted flags", async () => {
    const { client: author } = await signUp(server.app, "dflag_author");
    const { client: fan } = await signUp(server.app, "dflag_fan");
    const { client: other } = await signUp(server.app, "dflag_other");
    const posts: Post[] = [];
    for (let i = 0; i < 4; i++) posts.push((await author.post("/api/v1/posts", { content: `flagged ${i}` })).json().post as Post);
    const cursor = (await author.get("/api/v1/timeline?limit=2")).json().next_cursor as string;
    const deep = async (reader: TestClient) => (await reader.get(`/api/v1/timeline?limit=2&cursor=${cursor}`)).json().posts as Array<Post & { liked: boolean; reposted: boolean }>;
    // On PostgreSQL the fan also reads from the second process, which remembered the flags too.
    const fanReaders = [fan, ...(second ? [new TestClient(second, fan.token)] : [])];
    const first = async (reader: TestClient) => (await reader.get("/api/v1/timeline?limit=2")).json().posts as Array<Post & { liked: boolean }>;
    for (const reader of [other, ...fanReaders]) {
      await deep(reader); // the shared rendering and the fan's flags are remembered before they change
      await first(reader);
    }
    expect((await fan.post(`/api/v1/posts/${posts[1]!.id}/like`)).statusCode).toBeLessThan(300);
    expect((await fan.post(`/api/v1/posts/${posts[0]!.id}/repost`)).statusCode).toBeLessThan(300);
    for (const reader of fanReaders) {
      const seen = await deep(reader);
      expect(seen.map((p) => [p.id, p.liked, p.reposted])).toEqual([[posts[1]!.id, true, false], [posts[0]!.id, false, true]]);
    }
    expect((await deep(other)).map((p) => [p.liked, p.reposted])).toEqual([[false, false], [false, false]]);
    expect((await fan.post(`/api/v1/posts/${posts[3]!.id}/like`)).statusCode).toBeLessThan(300);
    for (const reader of fanReaders) expect((await first(reader)).map((p) => p.liked)).toEqual([true, false]);
    expect((await fan.delete(`/api/v1/posts/${posts[1]!.id}/like`)).statusCode).toBeLessThan(300);
    expect((await fan.delete(`/api/v1/posts/${posts[3]!.id}/like`)).statusCode).toBeLessThan(300);
    for (const reader of fanReaders) {
      expect((await deep(reader)).map((p) => p.liked)).toEqual([false, false]);
      expect((await first(reader)).map((p) => p.liked)).toEqual([false, false]);
    }
  });
});

describe("coalesced version reads", () => {
  it("answers each caller with a read that started after it asked, sharing reads under load", async () => {
    let started = 0;
    const pending: Array<(value: number) => void> = [];
    const read = coalesced(() => {
      const n = ++started;
      return new Promise<number>((resolve) => pending.push(() => resolve(n)));
    });
    const first = read(); // starts read 1
    const [second, third] = [read(), read()]; // asked during read 1: share read 2, not read 1
    expect(started).toBe(1);
    pending.shift()!(0);
    expect(await first).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(2);
    const fourth = read(); // asked during read 2: gets read 3
    pending.shift()!(0);
    expect([await second, await third]).toEqual([2, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    pending.shift()!(0);
    expect(await fourth).toBe(3);
  });

  it("answers a request that passes since with any read that started after it arrived, and no older one", async () => {
    let started = 0;
    const pending: Array<() => void> = [];
    const read = coalesced(() => {
      const n = ++started;
      return new Promise<number>((resolve) => pending.push(() => resolve(n)));
    });
    const before = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2));
    const arrived = performance.now();
    const first = read(arrived); // starts read 1, after `arrived`
    expect(read(arrived)).toBe(first); // the same request's second version: read 1, no new read
    const older = read(before); // read 1 started after `before` too
    expect(started).toBe(1);
    pending.shift()!();
    expect([await first, await older]).toEqual([1, 1]);
    expect(await read(arrived)).toBe(1); // finished, started after the request arrived: reused
    expect(started).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2));
    const later = read(performance.now()); // arrived after read 1 started: a new read
    expect(started).toBe(2);
    pending.shift()!();
    expect(await later).toBe(2);
  });

  it("passes a failed read to its callers and starts afresh", async () => {
    let calls = 0;
    const read = coalesced(async () => {
      calls++;
      if (calls === 1) throw new Error("database away");
      return calls;
    });
    await expect(read()).rejects.toThrow("database away");
    expect(await read()).toBe(2);
  });
});
