// What each benchmark scenario sends. One factory per scenario hands out the next request;
// every request rotates to the next of ≥1,000 users' tokens, so a per-token cache cannot hide
// the cost of authentication. Used by bench/load.ts for both autocannon and the paced driver.

export const SCENARIOS = ["timeline-first", "timeline-deep", "user-posts", "create-post", "login", "mixed"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface LoadData {
  /** Access tokens of distinct users (index-aligned with userIds and emails). */
  tokens: string[];
  userIds: string[];
  emails: string[];
  password: string;
  /** Opaque cursor of the post 90% of the way down the timeline. */
  deepCursor: string;
}

export interface BenchRequest {
  method: "GET" | "POST";
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
  }
}
