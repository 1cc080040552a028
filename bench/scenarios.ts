// What each benchmark scenario sends. One factory per scenario hands out the next request;
// every request rotates to the next of ≥1,000 users' tokens, so a per-token cache cannot hide
// the cost of authentication. Used by bench/load.ts for both autocannon and the paced driver.

import { SOCIAL_SCENARIOS, socialRequestFactory, type SocialLoadData, type SocialScenario } from "./social-scenarios.ts";

/** The timeline and post scenarios; the social ones (bench/social-scenarios.ts) follow them in the report. */
export const BASE_SCENARIOS = ["timeline-first", "timeline-deep", "user-posts", "create-post", "login", "mixed"] as const;
export const SCENARIOS = [...BASE_SCENARIOS, ...SOCIAL_SCENARIOS] as const;
export type Scenario = (typeof BASE_SCENARIOS)[number] | SocialScenario;

export interface LoadData {
  /** Access tokens of distinct users (index-aligned with userIds and emails). */
  tokens: string[];
  userIds: string[];
  emails: string[];
  password: string;
  /** Opaque cursor of the post 90% of the way down the timeline. */
  deepCursor: string;
  /** The social scenarios' data (absent in results written before they existed). */
  social?: SocialLoadData;
}

export interface BenchRequest {
  method: "GET" | "POST" | "DELETE";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const FIRST = "/api/v1/timeline?limit=50";

export function requestFactory(scenario: Scenario, data: LoadData, seed = 0): () => BenchRequest {
  const n = data.tokens.length;
  let i = seed;
  const auth = (k: number) => ({ authorization: `Bearer ${data.tokens[k % n]!}` });
  const deep = `/api/v1/timeline?limit=50&cursor=${data.deepCursor}`;
  // Another user's page than the caller's: a different stride through the same list.
  const userPage = (k: number) => `/api/v1/users/${data.userIds[(k * 7 + 13) % n]!}/posts?limit=50`;
  const post = (k: number): BenchRequest => ({
    method: "POST",
    path: "/api/v1/posts",
    headers: { ...auth(k), "content-type": "application/json" },
    body: JSON.stringify({ content: `bench post ${k} from the load generator` }),
  });
  if ((SOCIAL_SCENARIOS as readonly string[]).includes(scenario)) {
    if (!data.social) throw new Error(`${scenario}: the load data has no social part`);
    return socialRequestFactory(scenario as SocialScenario, data.tokens, data.social, seed);
  }
  switch (scenario) {
    case "timeline-first":
      return () => ({ method: "GET", path: FIRST, headers: auth(i++) });
    case "timeline-deep":
      return () => ({ method: "GET", path: deep, headers: auth(i++) });
    case "user-posts":
      return () => {
        const k = i++;
        return { method: "GET", path: userPage(k), headers: auth(k) };
      };
    case "create-post":
      return () => post(i++);
    case "login":
      return () => {
        const k = i++;
        return {
          method: "POST",
          path: "/api/v1/auth/login",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: data.emails[k % n]!, password: data.password }),
        };
      };
    case "mixed":
      // 90% reads (50% first page, 20% deep page, 20% a user's posts), 10% writes.
      return () => {
        const k = i++;
        const slot = k % 10;
        if (slot === 9) return post(k);
        if (slot < 5) return { method: "GET", path: FIRST, headers: auth(k) };
        if (slot < 7) return { method: "GET", path: deep, headers: auth(k) };
        return { method: "GET", path: userPage(k), headers: auth(k) };
      };
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}
