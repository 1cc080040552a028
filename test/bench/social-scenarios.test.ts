// The social scenarios' HTTP load and their database ceiling's replay pick the same reader,
// post and target for request k (bench/social-scenarios.ts socialPick): if they drifted apart,
// the ceiling would replay other work than the load asked for. Writes must undo themselves.
import { describe, expect, it } from "vitest";
import { socialCycle, socialPick, socialRequestFactory, type SocialLoadData } from "../../bench/social-scenarios.ts";

const data: SocialLoadData = {
  homeDeepCursors: ["c0", "c1", "c2"],
  threadId: "t",
  likePosts: ["p0", "p1"],
  followTargets: ["u0", "u1"],
};
const tokens = ["tok0", "tok1", "tok2"];

describe("the social scenarios' requests", () => {
  it("read with the reader socialPick names, the deep page with that reader's own cursor", () => {
    const next = socialRequestFactory("home-deep", tokens, data, 4);
    for (let k = 4; k < 10; k++) {
      const req = next();
      const { reader } = socialPick("home-deep", k, tokens.length, data);
      expect(req.headers.authorization).toBe(`Bearer ${tokens[reader]}`);
      expect(req.path).toBe(`/api/v1/timeline/home?limit=50&cursor=${data.homeDeepCursors[reader]}`);
    }
  });

  it("write do-then-undo on one pair, so the data ends as it started", () => {
    const next = socialRequestFactory("like", tokens, data, 0);
    const requests = Array.from({ length: socialCycle("like", tokens.length) }, () => next());
    for (let j = 0; j < requests.length; j += 2) {
      const [done, undone] = [requests[j]!, requests[j + 1]!];
      expect([done.method, undone.method]).toEqual(["POST", "DELETE"]);
      expect(undone.path).toBe(done.path);
      expect(undone.headers).toEqual(done.headers);
    }
    // Every reader takes part once per cycle, and the next cycle starts over.
    expect(new Set(requests.map((r) => r.headers.authorization)).size).toBe(tokens.length);
    expect(next().headers).toEqual(requests[0]!.headers);
  });
});
