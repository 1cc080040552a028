// bench/run.ts's social part (issue 19), kept out of the runner: preparing a section's social
// data and ceiling scripts, and checking that every social scenario answers what it should.
import pg from "pg";
import { captureScript, FOLLOWED, seedSocial, THREAD_REPLIES, type DbScript, type Exec } from "./social.ts";
import { SOCIAL_SCENARIOS, type SocialLoadData, type SocialScenario } from "./social-scenarios.ts";
import { TIMESTAMP_OIDS } from "./lib.ts";

/** What a results file says of a section's social data (bench/report.ts SectionResult.social). */
export interface SocialSection {
  seedUsers: number;
  readers: number;
  followedPerReader: number;
  threadReplies: number;
  followsInserted: number;
  setupMs: number;
  threadId: string;
  /** the statements each ceiling replays, as the server's functions compiled them */
  sql: Record<string, string[]>;
}

/**
 * Seeds the social data on the section's database (through `exec`) and captures each social
 * scenario's statements from the server's own functions. `newTimestamp`: what the server
 * hands follow() (null on PostgreSQL: now(); a microsecond time embedded).
 */
export async function prepareSocial(exec: Exec, readers: string[], seedUsers: number, newTimestamp: string | null) {
  const setup = await seedSocial(exec, [{ users: readers, follows: FOLLOWED }]);
  const scripts = {} as Record<SocialScenario, DbScript>;
  for (const scenario of SOCIAL_SCENARIOS) scripts[scenario] = await captureScript(exec, scenario, readers, setup.load, newTimestamp);
  const section: SocialSection = {
    seedUsers, readers: readers.length, followedPerReader: FOLLOWED, threadReplies: THREAD_REPLIES, followsInserted: setup.followsInserted,
    setupMs: setup.ms, threadId: setup.load.threadId, sql: Object.fromEntries(SOCIAL_SCENARIOS.map((s) => [s, scripts[s].texts])),
  };
  return { load: setup.load, scripts, section };
}

/** An Exec over a pg.Client with timestamps as text (as the server reads them). */
export function pgExec(client: pg.Client): Exec {
  return async (text, values) => (await client.query({ text, values, types: { getTypeParser: (oid: number, format?: string) => (TIMESTAMP_OIDS.includes(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format as "text")) } })) as { rows: Array<Record<string, unknown>> };
}

/**
 * Every social scenario answers 200 with what it should; on PostgreSQL, the ceiling's replay
 * of reader 1's home page returns the posts the server returned to reader 1.
 */
export async function socialPreflight(url: string, tokens: string[], social: SocialLoadData, scripts: Record<SocialScenario, DbScript>, dbUrl?: string): Promise<string> {
  const call = async (method: string, path: string, k: number) => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${tokens[k]!}` } });
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`pre-flight: ${method} ${path} ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  };
  const home = (await call("GET", "/api/v1/timeline/home?limit=50", 1)) as { posts: Array<{ id: string; repost?: unknown }>; has_more: boolean };
  if (home.posts.length !== 50 || !home.has_more) throw new Error(`pre-flight: home page has ${home.posts.length} entries`);
  const deep = (await call("GET", `/api/v1/timeline/home?limit=50&cursor=${social.homeDeepCursors[1]}`, 1)) as { posts: unknown[] };
  if (deep.posts.length !== 50) throw new Error(`pre-flight: deep home page has ${deep.posts.length} entries`);
  const thread = (await call("GET", `/api/v1/posts/${social.threadId}/thread?limit=50`, 2)) as { ancestors: unknown[]; replies: unknown[]; has_more: boolean };
  if (thread.replies.length !== 50 || !thread.has_more || thread.ancestors.length !== 1) throw new Error(`pre-flight: thread has ${thread.ancestors.length} ancestors, ${thread.replies.length} replies`);
  const liked = (await call("POST", `/api/v1/posts/${social.likePosts[0]}/like`, 3)) as { post: { liked: boolean } };
  const unliked = (await call("DELETE", `/api/v1/posts/${social.likePosts[0]}/like`, 3)) as { post: { liked: boolean } };
  if (!liked.post.liked || unliked.post.liked) throw new Error("pre-flight: like/unlike did not change the flag");
  const followed = (await call("POST", `/api/v1/users/${social.followTargets[0]}/follow`, 3)) as { relationship: { following: boolean } };
  const unfollowed = (await call("DELETE", `/api/v1/users/${social.followTargets[0]}/follow`, 3)) as { relationship: { following: boolean } };
  if (!followed.relationship.following || unfollowed.relationship.following) throw new Error("pre-flight: follow/unfollow did not change the relationship");
  let replay = "";
  if (dbUrl) {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const exec = pgExec(c);
      const script = scripts["home-first"];
      const [[i, values]] = script.requests[1]! as [[number, unknown[]]];
      const rows = (await exec(script.texts[i]!, values)).rows;
      const ids = rows.slice(0, 50).map((r) => r.id).join();
      if (ids !== home.posts.map((p) => p.id).join()) throw new Error("pre-flight: the ceiling's home-page replay for reader 1 differs from the server's page");
      replay = "; the ceiling's replay of reader 1's home page returns the server's 50 entries";
    } finally {
      await c.end();
    }
  }
  const reposts = home.posts.filter((p) => p.repost).length;
  return `home page 200 with 50 entries (${reposts} reposts); deep home page 50; thread 1 ancestor + 50 of ${THREAD_REPLIES} replies; like/unlike and follow/unfollow 200 with the flag changed${replay}`;
}

/** An Exec on the section's database: a pg.Client, or PGlite on the data folder (nothing else may have it open). */
export async function openExec(db: "postgres" | "embedded", where: string): Promise<{ exec: Exec; close(): Promise<void> }> {
  if (db === "postgres") {
    const c = new pg.Client({ connectionString: where });
    await c.connect();
    return { exec: pgExec(c), close: () => c.end() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const lite = await PGlite.create(where, { parsers: Object.fromEntries(TIMESTAMP_OIDS.map((oid) => [oid, (v: string) => v])) });
  return { exec: async (text, values) => lite.query<Record<string, unknown>>(text, values, { rowMode: "object" }), close: () => lite.close() };
}
