import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkUsername } from "../../src/api/index.js";
import { seed } from "../../src/server/seed.js";
import { startTestServer, type TestServer } from "./harness.js";

describe("seed", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("embedded");
  });
  afterAll(() => server.close());

  it("creates valid, unique users and the requested posts, twice in a row", async () => {
    for (let run = 0; run < 2; run++) {
      const result = await seed(server.ctx.db, { users: 1200, posts: 500, sharedTimestamp: 60 });
      expect(result).toMatchObject({ users: 1200, posts: 500 });
      await new Promise((r) => setTimeout(r, 5));
    }
    const users = await server.ctx.db.selectFrom("users").select("username").execute();
    expect(users).toHaveLength(2400);
    for (const { username } of users) expect(checkUsername(username), username).toBeNull();
    const posts = await server.ctx.db.selectFrom("posts").select(({ fn }) => fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    expect(Number(posts.n)).toBe(1000);
  });
});
