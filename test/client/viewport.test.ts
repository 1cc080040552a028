import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ensureVisible, pageSize } from "../../src/client/list/viewport.js";
import { cardHeight, cardLines } from "../../src/client/list/card-layout.js";
import type { SocialPost } from "../../src/client/social.js";
import { makePost, makeUser } from "./helpers/fixtures.js";

describe("ensureVisible", () => {
  it("scrolls down just enough to show the selection", () => {
    const heightOf = () => 4;
    expect(ensureVisible({ selected: 5, top: 0, count: 10, viewport: 12, heightOf })).toBe(3);
    expect(ensureVisible({ selected: 1, top: 3, count: 10, viewport: 12, heightOf })).toBe(1);
    expect(ensureVisible({ selected: 4, top: 3, count: 10, viewport: 12, heightOf })).toBe(3);
  });

  it("property: the selected card always lies within the viewport (when it fits)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 3, max: 8 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 8, max: 40 }),
        fc.nat(),
        fc.nat(),
        (heights, viewport, sel, top) => {
          const selected = sel % heights.length;
          const first = ensureVisible({ selected, top: top % heights.length, count: heights.length, viewport, heightOf: (i) => heights[i]! });
          expect(first).toBeLessThanOrEqual(selected);
          const used = heights.slice(first, selected + 1).reduce((a, b) => a + b, 0);
          if (first < selected) expect(used).toBeLessThanOrEqual(viewport);
        },
      ),
    );
  });

  it("page size counts the cards that fit", () => {
    expect(pageSize({ from: 0, count: 100, viewport: 20, heightOf: () => 4, direction: 1 })).toBe(5);
    expect(pageSize({ from: 2, count: 100, viewport: 20, heightOf: () => 4, direction: -1 })).toBe(3);
  });
});

describe("card layout", () => {
  const user = makeUser("code_ninja");
  it("draws the card as in the spec", () => {
    const post = makePost(user, "Just shipped v0.3.0 of my CLI tool. Feels good.", new Date(Date.now() - 120_000));
    const text = cardLines({ post, username: user.username, selected: true, width: 50, maxHeight: 20, now: new Date() }).map((l) =>
      l.map((s) => s.text).join(""),
    );
    expect(text).toEqual(["▸ @code_ninja · 2m", "  Just shipped v0.3.0 of my CLI tool. Feels good.", "─".repeat(50)]);
  });

  it("cuts a long post to the maximum height and says how much is hidden", () => {
    const post = makePost(user, Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n"), new Date());
    const lines = cardLines({ post, username: "u", selected: false, width: 40, maxHeight: 8, now: new Date() });
    expect(lines).toHaveLength(8);
    expect(cardHeight(post, 40, 8)).toBe(8);
    expect(lines[6]!.map((s) => s.text).join("")).toBe("  … +25 lines");
  });

  it("draws the social card: repost line, display name, reply line, highlighted entities, counts", () => {
    const bob = makeUser("bob");
    const post: SocialPost = {
      ...makePost(user, "hi @bob, try #Rust", new Date(Date.now() - 3 * 3_600_000)),
      reply_to_user: { id: bob.id, username: "bob" },
      reply_count: 3,
      repost_count: 2,
      like_count: 5,
      liked: true,
      reposted: false,
      mentions: [{ id: bob.id, username: "bob" }],
      repost: { by: bob, at: new Date().toISOString() },
    };
    const lines = cardLines({ post, username: "ada", displayName: "Ada Lovelace", selected: true, width: 40, maxHeight: 20, now: new Date() });
    const text = lines.map((l) => l.map((s) => s.text).join(""));
    expect(text).toEqual(["▸ ♻ @bob reposted", "  Ada Lovelace @ada · 3h", "  ↳ @bob", "  hi @bob, try #Rust", "  ↩ 3  ♻ 2  ♥ 5", "─".repeat(40)]);
    expect(lines[3]!.filter((s) => s.token === "entity").map((s) => s.text)).toEqual(["@bob", "#Rust"]);
    expect(lines[4]!.find((s) => s.text.startsWith("♥"))!.token).toBe("accent");
    expect(lines[4]!.find((s) => s.text.startsWith("♻"))!.token).toBe("dim");
    const ascii = cardLines({ post, username: "ada", selected: false, width: 40, maxHeight: 20, now: new Date(), ascii: true });
    expect(ascii.map((l) => l.map((s) => s.text).join(""))).toContain("  re 3  rp 2  lk 5");
    // A narrow card cuts the display name first; the username and time always show.
    const narrow = cardLines({ post, username: "ada", displayName: "Ada Lovelace", selected: false, width: 20, maxHeight: 20, now: new Date() });
    expect(narrow[1]!.map((s) => s.text).join("")).toBe("  Ada Lov… @ada · 3h"); // 20 cells exactly
  });

  it("measures every kind of card exactly as it draws it", () => {
    const bob = makeUser("bob");
    fc.assert(
      fc.property(
        fc.string({ maxLength: 140 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 20, max: 120 }),
        fc.integer({ min: 3, max: 40 }),
        (content, reply, repost, counts, width, maxHeight) => {
          const post: SocialPost = {
            ...makePost(user, content === "" ? "x" : content, new Date()),
            ...(reply ? { reply_to_user: { id: bob.id, username: "bob" } } : {}),
            ...(repost ? { repost: { by: bob, at: new Date().toISOString() } } : {}),
            ...(counts ? { reply_count: 1, like_count: 2, repost_count: 3 } : {}),
          };
          const lines = cardLines({ post, username: "ada", displayName: "Ada", selected: false, width, maxHeight, now: new Date() });
          expect(lines).toHaveLength(cardHeight(post, width, maxHeight));
        },
      ),
    );
  });
});
