// The social scenarios' requests (issue 19): the home feed's first and a deep page, a thread
// with 200 replies, like/unlike and follow/unfollow. Which reader, post and target request k
// uses is decided here once, by socialPick, for both the HTTP load (bench/load.ts) and the
// database ceiling's replay of the same statements (bench/social.ts), so the two do the same work.
import type { BenchRequest } from "./scenarios.ts";

export const SOCIAL_SCENARIOS = ["home-first", "home-deep", "thread", "like", "follow"] as const;
export type SocialScenario = (typeof SOCIAL_SCENARIOS)[number];

export interface SocialLoadData {
  /** Per reader (index-aligned with the load's tokens): a cursor of their home list far down (27 days back). */
  homeDeepCursors: string[];
  /** The post whose thread is read: it has 200 direct replies. */
  threadId: string;
  /** Posts the readers like and unlike (by authors who are not readers). */
  likePosts: string[];
  /** Users the readers follow and unfollow (no reader follows them otherwise). */
  followTargets: string[];
}

/**
 * What request k of a social scenario does. Writes alternate: k even does it, k odd undoes
 * the same pair, so the data stays as seeded on average however long the load runs.
 */
export function socialPick(scenario: SocialScenario, k: number, readers: number, data: SocialLoadData) {
  const write = scenario === "like" || scenario === "follow";
  const j = write ? Math.floor(k / 2) % readers : k % readers;
  return {
    reader: j,
    undo: write && k % 2 === 1,
    post: data.likePosts[j % data.likePosts.length]!,
    target: data.followTargets[j % data.followTargets.length]!,
  };
}

/** How many distinct requests a scenario cycles through (the ceiling's replay length). */
export const socialCycle = (scenario: SocialScenario, readers: number) => (scenario === "like" || scenario === "follow" ? 2 * readers : readers);

export function socialRequestFactory(scenario: SocialScenario, tokens: string[], data: SocialLoadData, seed: number): () => BenchRequest {
  const n = tokens.length;
  let i = seed;
  return () => {
    const k = i++;
    const pick = socialPick(scenario, k, n, data);
    const headers = { authorization: `Bearer ${tokens[pick.reader]!}` };
    switch (scenario) {
      case "home-first":
        return { method: "GET", path: "/api/v1/timeline/home?limit=50", headers };
      case "home-deep":
        return { method: "GET", path: `/api/v1/timeline/home?limit=50&cursor=${data.homeDeepCursors[pick.reader]!}`, headers };
      case "thread":
        return { method: "GET", path: `/api/v1/posts/${data.threadId}/thread?limit=50`, headers };
      case "like":
        return { method: pick.undo ? "DELETE" : "POST", path: `/api/v1/posts/${pick.post}/like`, headers };
      case "follow":
        return { method: pick.undo ? "DELETE" : "POST", path: `/api/v1/users/${pick.target}/follow`, headers };
    }
  };
}
