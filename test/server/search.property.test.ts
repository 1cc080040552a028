// Whatever q a user types, the parser answers a query or a 400 on q, and running the query on
// a real database never throws: no database syntax error, no 500.
import fc from "fast-check";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSearchQuery, SEARCH_QUERY_MAX } from "../../src/api/search-query.js";
import { countChars } from "../../src/api/text.js";
import type { Database } from "../../src/server/db/schema.js";
import { insertPost } from "../../src/server/posts/queries.js";
import { indexPostForSearch } from "../../src/server/search/index-post.js";
import { searchPosts } from "../../src/server/search/posts.js";
import { searchUsers, userSearchText } from "../../src/server/search/users.js";
import { BACKENDS } from "./harness.js";
import { addUser, openSearchDb, type SearchDb } from "./search-db.js";

// Pieces a hostile or unlucky q is made of: tsquery and LIKE syntax, quotes, backslashes,
// control characters, emoji, scripts without spaces, and the query language's own operators.
const piece = fc.oneof(
  fc.constantFrom(
    '"', "'", "-", "#", "from:", "from:alice", "@", ":*", "&", "|", "!", "(", ")", "<->", "<2>", "\\", "%", "_",
    " ", "\t", "\n", "\u0000", "\u0001", "\u007f", "\u0085", "\u200b", "\ufeff", "\ud800", "😀", "👩‍👩‍👧", "東京", "ไทย",
    "café", "fox", "rust", "#rust", "-fox", "'fox'", "a:*", "!!fox", "fox|quick", "&&", "null", "DROP TABLE posts;",
  ),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 4 }),
);
const query = fc.oneof(
  fc.array(piece, { maxLength: 40 }).map((parts) => parts.join("")),
  fc.string({ unit: fc.constantFrom(..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"), minLength: 190, maxLength: 210 }),
);

describe("parseSearchQuery on anything", () => {
  it("answers a query with something to search for, or a 400 on q", () => {
    fc.assert(fc.property(query, (q) => {
      const result = parseSearchQuery(q);
      if (!result.ok) {
        expect(result.error.code).toBe("validation_error");
        expect(result.error.field).toBe("q");
        return;
      }
      expect(countChars(q)).toBeLessThanOrEqual(SEARCH_QUERY_MAX);
      const { words, phrases, from, tags } = result.query;
      expect(words.length + phrases.length + from.length + tags.length).toBeGreaterThan(0);
      for (const word of [...words, ...phrases.flat(), ...result.query.excludes.flat()]) {
        expect(word).toMatch(/[\p{L}\p{N}]/u);
        expect(word).not.toMatch(/[\p{Cc}\p{Z}]/u);
      }
    }), { numRuns: 2000 });
  });
});

describe.each(BACKENDS)("search on anything (%s)", (backend) => {
  let handle: SearchDb;
  let db: Kysely<Database>;
  let after: { createdAt: string; id: string };

  beforeAll(async () => {
    handle = await openSearchDb(backend);
    db = handle.db;
    const alice = await addUser(db, "alice");
    for (const content of ["fox café 東京", "rust #rust :* & | ! <->", "\\ ' \" %_ 😀"]) {
      const post = await insertPost(db, alice, content, null);
      await indexPostForSearch(db, post!.id, content);
      after = { createdAt: "2099-01-01T00:00:00.000000Z", id: post!.id };
    }
  });
  afterAll(() => handle?.close());

  it("never throws running a parsed query, first page or later", async () => {
    await fc.assert(fc.asyncProperty(query, fc.boolean(), async (q, paged) => {
      const result = parseSearchQuery(q);
      if (!result.ok) return;
      const hits = await searchPosts(db, result.query, paged ? after : undefined, 20);
      expect(hits.length).toBeLessThanOrEqual(21);
    }), { numRuns: 300 });
  });

  it("never throws searching users", async () => {
    await fc.assert(fc.asyncProperty(query, async (q) => {
      const text = userSearchText(q);
      if (!text.ok) return;
      await searchUsers(db, text.text, 20);
    }), { numRuns: 300 });
  });
});
