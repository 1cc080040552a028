// Post and user search on real databases (social.md, "Search"): the query language's
// examples, keyset paging, users ranking, the migration's backfill, and the plans.
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSearchQuery, type SearchQuery } from "../../src/api/search-query.js";
import type { Database } from "../../src/server/db/schema.js";
import { insertPost } from "../../src/server/posts/queries.js";
import { indexMissingPosts, indexPostForSearch } from "../../src/server/search/index-post.js";
import { fromAuthors, searchPosts, searchPostsStatement, type PageKey } from "../../src/server/search/posts.js";
import { searchUsers } from "../../src/server/search/users.js";
import { BACKENDS } from "./harness.js";
import { addUser, openSearchDb, type SearchDb } from "./search-db.js";

function parsed(q: string): SearchQuery {
  const result = parseSearchQuery(q);
  if (!result.ok) throw new Error(`${q}: ${result.error.message}`);
  return result.query;
}

describe.each(BACKENDS)("search (%s)", (backend) => {
  let handle: SearchDb;
  let db: Kysely<Database>;
  const ids = new Map<string, string>();
  let alice: string;
  let bob: string;
  let second = 0;

  async function post(author: string, content: string, tags: string[] = []): Promise<string> {
    // One second apart, in insertion order: newest first is the reverse of this file's order.
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, second++)).toISOString();
    const created = await insertPost(db, author, content, at);
    await indexPostForSearch(db, created!.id, content);
    for (const [i, tag] of tags.entries()) {
      await sql`INSERT INTO post_tags (post_id, tag, position, created_at)
        SELECT id, ${tag}, ${i}, created_at FROM posts WHERE id = ${created!.id}::uuid`.execute(db);
    }
    ids.set(content, created!.id);
    return created!.id;
  }

  /** The contents found, newest first, walking every page `pageSize` at a time. */
  async function find(q: string, pageSize = 100): Promise<string[]> {
    const byId = new Map([...ids].map(([content, id]) => [id, content]));
    const found: string[] = [];
    let after: PageKey | undefined;
    for (;;) {
      const hits = await searchPosts(db, parsed(q), after, pageSize);
      const page = hits.slice(0, pageSize);
      found.push(...page.map((hit) => byId.get(hit.id) ?? hit.id));
      if (hits.length <= pageSize) return found;
      after = page[page.length - 1]!;
    }
  }

  beforeAll(async () => {
    handle = await openSearchDb(backend);
    db = handle.db;
    alice = await addUser(db, "alice", "Alice Liddell");
    bob = await addUser(db, "bob", "Bob Étienne");
    await post(alice, "Un café à Paris");
    await post(bob, "私は東京に住んでいます");
    await post(alice, "the quick brown fox");
    await post(bob, "brown and quick, the fox");
    await post(alice, "Learning #Rust today", ["rust"]);
    await post(bob, "rust on my bike");
    await post(bob, "categories of cats");
    await post(alice, "ПРИВЕТ мир");
    await post(bob, "ＦＵＬＬ width text");
    await post(bob, "من می\u200Cخواهم بروم");
  });
  afterAll(() => handle?.close());

  it("finds whole words, case- and accent-insensitively, both ways", async () => {
    expect(await find("cafe")).toEqual(["Un café à Paris"]);
    expect(await find("CAFÉ paris")).toEqual(["Un café à Paris"]);
    expect(await find("привет")).toEqual(["ПРИВЕТ мир"]);
    expect(await find("full")).toEqual(["ＦＵＬＬ width text"]);
    expect(await find("cat")).toEqual([]);
    expect(await find("cats")).toEqual(["categories of cats"]);
  });

  it("finds a Japanese word inside a sentence written without spaces", async () => {
    expect(await find("東京")).toEqual(["私は東京に住んでいます"]);
    expect(await find("京")).toEqual([]);
    expect(await find("می\u200Cخواهم")).toEqual(["من می\u200Cخواهم بروم"]);
  });

  it("tells a phrase from words in any order", async () => {
    expect(await find("quick brown")).toEqual(["brown and quick, the fox", "the quick brown fox"]);
    expect(await find('"quick brown"')).toEqual(["the quick brown fox"]);
    expect(await find('"brown quick"')).toEqual([]);
  });

  it("leaves out excluded words and phrases", async () => {
    expect(await find("fox -and")).toEqual(["the quick brown fox"]);
    expect(await find('fox -"quick brown"')).toEqual(["brown and quick, the fox"]);
    expect(await find("fox -brown")).toEqual([]);
  });

  it("narrows to authors with from:", async () => {
    expect(await find("fox from:alice")).toEqual(["the quick brown fox"]);
    expect(await find("from:ALICE")).toEqual(["ПРИВЕТ мир", "Learning #Rust today", "the quick brown fox", "Un café à Paris"]);
    expect(await find("fox -from:alice")).toEqual(["brown and quick, the fox"]);
    expect(await find("fox from:nobody")).toEqual([]);
  });

  it("finds a #tag only where it is a tag, and a bare word as a word or a tag", async () => {
    expect(await find("#rust")).toEqual(["Learning #Rust today"]);
    expect(await find("#RUST today")).toEqual(["Learning #Rust today"]);
    expect(await find("rust")).toEqual(["rust on my bike", "Learning #Rust today"]);
    expect(await find("rust -#rust")).toEqual(["rust on my bike"]);
    expect(await find("#rust from:bob")).toEqual([]);
  });

  it("applies a caller's condition on authors before cutting the page", async () => {
    const notBob = { authorFilter: (author: ReturnType<typeof sql>) => sql<boolean>`${author} <> ${bob}::uuid` };
    const hits = await searchPosts(db, parsed("fox"), undefined, 1, notBob);
    expect(hits.map((hit) => hit.id)).toEqual([ids.get("the quick brown fox")]);
  });

  it("pages newest first without losing or repeating a post", async () => {
    const all = await find("from:alice from:bob");
    expect(all).toHaveLength(10);
    expect(all[0]).toBe("من می\u200Cخواهم بروم");
    for (const size of [1, 2, 4]) expect(await find("from:alice from:bob", size)).toEqual(all);
    // A word with from: pages on post_search's own author (migration 0042).
    const words = await find("the from:alice from:bob");
    expect(words).toEqual(["brown and quick, the fox", "the quick brown fox"]);
    for (const size of [1, 2]) expect(await find("the from:alice from:bob", size)).toEqual(words);
    expect(await find("brown -fox from:bob")).toEqual([]);
    // The same hits whichever way the statement reads the authors' documents: all of them (few
    // posts, as here) or through the planner's choice (a busy author's tens of thousands).
    const query = parsed("the from:alice from:bob");
    const authors = await fromAuthors(db, query);
    expect(authors.ids).toHaveLength(2);
    for (const posts of [authors.posts, 1_000_000]) {
      const rows = await searchPostsStatement(query, undefined, 100, { fromAuthors: { ...authors, posts } }).execute(db);
      expect(rows.rows.map((row) => row.id), String(posts)).toEqual(words.map((content) => ids.get(content)));
    }
  });

  it("forgets a deleted post", async () => {
    const id = await post(alice, "ephemeral words");
    expect(await find("ephemeral")).toEqual(["ephemeral words"]);
    await db.deleteFrom("posts").where("id", "=", id).execute();
    expect(await find("ephemeral")).toEqual([]);
  });

  it("indexes the posts that were written without an index entry", async () => {
    const created = await insertPost(db, bob, "written behind the index's back", null);
    ids.set("written behind the index's back", created!.id);
    expect(await find("behind")).toEqual([]);
    expect(await indexMissingPosts(db, 2)).toBe(1);
    expect(await find("behind")).toEqual(["written behind the index's back"]);
    expect(await find("behind from:bob")).toEqual(["written behind the index's back"]);
    expect(await find("behind from:alice")).toEqual([]);
    expect(await indexMissingPosts(db)).toBe(0);
  });

  it("ranks users: the exact username, then prefixes, then the rest containing q", async () => {
    await addUser(db, "ann", "Zed");
    await addUser(db, "annabel", "Annabel Lee");
    await addUser(db, "joanna", "Jo");
    await addUser(db, "zoe", "Anne Zoé");
    await addUser(db, "lou_1", "100% Lou");
    const names = async (q: string, limit = 20) => (await searchUsers(db, q, limit)).map((u) => u.username);
    expect(await names("ann")).toEqual(["ann", "annabel", "zoe", "joanna"]);
    expect(await names("ANN", 2)).toEqual(["ann", "annabel"]);
    expect(await names("zoe")).toEqual(["zoe"]);
    expect(await names("ZOÉ")).toEqual(["zoe"]);
    expect(await names("etienne")).toEqual(["bob"]);
    expect(await names("%")).toEqual(["lou_1"]);
    expect(await names("_")).toEqual(["lou_1"]);
    expect(await names("u_1")).toEqual(["lou_1"]);
    expect(await names("nobody")).toEqual([]);
    const [first] = await searchUsers(db, "alice", 1);
    expect(first).toMatchObject({ username: "alice", display_name: "Alice Liddell", bio: "" });
    expect(first!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });
});
