// An in-memory implementation of the contract on top of the stub server, for UI tests
// that need a believable server plus the odd injected fault.
import type { ServerResponse } from "node:http";
import type { Post, PostPage, Tokens, User } from "../../../src/api/index.js";
import { parseEntities } from "../../../src/api/entities.js";
import type { Notification, NotificationType, SocialPost } from "../../../src/client/social.js";
import { apiError, startStubServer, type StubReply, type StubRequest, type StubServer } from "./stub-server.js";
import { makePost, makeTokens, makeUser } from "./fixtures.js";

export interface FakeApi {
  stub: StubServer;
  url: string;
  users: User[];
  posts: Post[]; // newest first
  me: User;
  tokens: Tokens;
  /** Access tokens the fake accepts. */
  validAccess: Set<string>;
  addPosts(count: number, author?: User, start?: Date): Post[];
  /** The social layer (social.md), when started with `social: true`. */
  follows: Set<string>;
  likes: Map<string, Set<string>>;
  reposts: Map<string, { by: string; at: string }[]>;
  /** Posts published with each Idempotency-Key (by user). */
  idempotency: Map<string, Post>;
  follow(follower: User, followed: User): void;
  reply(author: User, parent: Post, content: string, at?: Date): SocialPost;
  /** Notifications for `me`, newest first. */
  notifications: Notification[];
  /** Adds a notification for `me` (newest), unread. */
  notify(type: NotificationType, actor: User, post?: Post): Notification;
  /** `me`'s blocks and mutes (user ids), and the reports sent. */
  blocks: Set<string>;
  mutes: Set<string>;
  reports: { post_id?: string; user_id?: string; reason: string }[];
  /** Open live streams (GET /api/v1/stream), and every event sent, for Last-Event-ID replay. */
  streams: { res: ServerResponse; timeline: string }[];
  events: { id: string; type: string; data: unknown; timeline?: string }[];
  /** Sends an event to the open streams (of that timeline, when given). */
  emit(type: string, data: unknown, timeline?: string): void;
  /** Cuts every open stream, as a server restart would. */
  dropStreams(): void;
  /** A post as a reader sees it (counts, flags, reply_to_user), or as v1 sends it. */
  view(post: Post, reader?: User): SocialPost;
  close(): Promise<void>;
}

export async function startFakeApi(opts: { username?: string; social?: boolean } = {}): Promise<FakeApi> {
  const stub = await startStubServer();
  const me = makeUser(opts.username ?? "alice");
  const other = makeUser("bob");
  const fake: FakeApi = {
    stub,
    url: stub.url,
    users: [me, other],
    posts: [],
    me,
    tokens: makeTokens(me),
    validAccess: new Set(),
    addPosts(count, author = other, start = new Date(Date.now() - 60_000)) {
      const added: Post[] = [];
      for (let i = 0; i < count; i++) {
        added.push(makePost(author, `Post number ${this.posts.length + i + 1} by ${author.username}`, new Date(start.getTime() - i * 60_000)));
      }
      this.posts.push(...added);
      this.posts.sort((a, b) => b.created_at.localeCompare(a.created_at));
      return added;
    },
    follows: new Set(),
    likes: new Map(),
    reposts: new Map(),
    idempotency: new Map(),
    follow(follower, followed) {
      this.follows.add(`${follower.id}>${followed.id}`);
    },
    notifications: [],
    blocks: new Set(),
    mutes: new Set(),
    reports: [],
    streams: [],
    events: [],
    emit(type, data, timeline) {
      const event = { id: `e${String(this.events.length + 1).padStart(6, "0")}`, type, data, ...(timeline ? { timeline } : {}) };
      this.events.push(event);
      for (const s of this.streams) if (!timeline || s.timeline === timeline) s.res.write(sseFrame(event));
    },
    dropStreams() {
      for (const s of this.streams.splice(0)) s.res.destroy();
    },
    notify(type, actor, post) {
      const n: Notification = { id: `n-${String(this.notifications.length + 1).padStart(6, "0")}`, type, actor, ...(post ? { post: this.view(post) } : {}), created_at: new Date().toISOString(), read: false };
      this.notifications.unshift(n);
      return n;
    },
    reply(author, parent, content, at = new Date()) {
      const post: SocialPost = { ...makePost(author, content, at), reply_to_id: parent.id };
      this.posts.push(post);
      this.posts.sort((a, b) => b.created_at.localeCompare(a.created_at));
      return post;
    },
    view(post, reader = me) {
      if (!opts.social) return post;
      const parent = (post as SocialPost).reply_to_id ? this.posts.find((p) => p.id === (post as SocialPost).reply_to_id) : undefined;
      const parentAuthor = parent ? this.users.find((u) => u.id === parent.author_id) : undefined;
      const likes = this.likes.get(post.id) ?? new Set();
      const reposts = this.reposts.get(post.id) ?? [];
      return {
        ...post,
        reply_to_id: (post as SocialPost).reply_to_id ?? null,
        reply_to_user: parentAuthor ? { id: parentAuthor.id, username: parentAuthor.username } : null,
        reply_count: this.posts.filter((p) => (p as SocialPost).reply_to_id === post.id).length,
        like_count: likes.size,
        repost_count: reposts.length,
        liked: likes.has(reader.id),
        reposted: reposts.some((r) => r.by === reader.id),
        mentions: parseEntities(post.content).mentions.flatMap((name) => this.users.filter((u) => u.username === name).map((u) => ({ id: u.id, username: u.username }))),
        tags: parseEntities(post.content).tags,
      };
    },
    close: () => stub.close(),
  };
  fake.validAccess.add(fake.tokens.access_token);

  const authed = (req: StubRequest): boolean => {
    const header = req.headers.authorization ?? "";
    return fake.validAccess.has(header.replace(/^Bearer /, ""));
  };
  const unauthorized = apiError(401, "unauthorized", "Missing or invalid token");
  const page = (posts: Post[], req: StubRequest): PostPage => {
    const limit = Number(req.query.get("limit") ?? 50);
    const cursor = req.query.get("cursor");
    const start = cursor ? posts.findIndex((p) => p.id === cursor) + 1 : 0;
    const slice = posts.slice(start, start + limit);
    const hasMore = start + limit < posts.length;
    return { posts: slice, next_cursor: hasMore ? slice[slice.length - 1]!.id : null, has_more: hasMore };
  };
  const issue = (user: User): Tokens => {
    const tokens = makeTokens(user);
    fake.validAccess.add(tokens.access_token);
    return tokens;
  };

  stub.on("GET", "/health", () => ({ body: { status: "ok", version: "test" } }));
  stub.on("POST", "/api/v1/auth/login", (req) => {
    const body = req.body as { email: string; password: string };
    if (body.email === `${me.username}@example.com` && body.password === "password1") {
      return { body: { user: opts.social ? profileOf(fake, me).user : me, tokens: issue(me) } };
    }
    return apiError(401, "unauthorized", "Invalid email or password");
  });
  stub.on("POST", "/api/v1/auth/register", (req) => {
    const body = req.body as { username: string; email: string };
    if (fake.users.some((u) => u.username === body.username.toLowerCase())) {
      return apiError(409, "conflict", "Username already taken", "username");
    }
    const user = makeUser(body.username.toLowerCase(), { display_name: body.username });
    fake.users.push(user);
    return { status: 201, body: { user, tokens: issue(user) } };
  });
  stub.on("POST", "/api/v1/auth/logout", () => ({ status: 204 }));
  stub.on("POST", "/api/v1/auth/refresh", () => ({ body: { tokens: issue(me) } }));
  stub.on("GET", "/api/v1/users/me", (req) => (authed(req) ? { body: { user: opts.social ? profileOf(fake, me).user : me } } : unauthorized));
  stub.on("GET", /^\/api\/v1\/users\/[^/]+$/, (req) => {
    if (!authed(req)) return unauthorized;
    const ref = decodeURIComponent(req.path.split("/").pop()!);
    const user = fake.users.find((u) => u.id === ref || `@${u.username}` === ref || (ref === "me" && u === me));
    if (!user) return apiError(404, "not_found", "User not found");
    return { body: opts.social ? profileOf(fake, user) : { user } };
  });
  stub.on("GET", /^\/api\/v1\/users\/[^/]+\/posts$/, (req) => {
    if (!authed(req)) return unauthorized;
    const ref = decodeURIComponent(req.path.split("/")[4]!);
    const user = fake.users.find((u) => u.id === ref || (ref === "me" && u === me));
    if (!user) return apiError(404, "not_found", "User not found");
    const own = fake.posts.filter((p) => p.author_id === user.id && !fake.blocks.has(user.id)).map(({ author: _author, ...rest }) => rest);
    return { body: page(own.map((p) => fake.view(p)), req) };
  });
  stub.on("PATCH", "/api/v1/users/me", (req) => {
    if (!authed(req)) return unauthorized;
    Object.assign(me, req.body as Partial<User>);
    return { body: { user: me } };
  });
  stub.on("GET", "/api/v1/timeline", (req) => (authed(req) ? { body: page(fake.posts.map((p) => fake.view(p)), req) } : unauthorized));
  stub.on("POST", "/api/v1/posts", (req) => {
    if (!authed(req)) return unauthorized;
    const key = req.headers["idempotency-key"];
    const again = typeof key === "string" ? fake.idempotency.get(key) : undefined;
    if (again) return { status: 200, body: { post: fake.view(again) } };
    const body = req.body as { content: string; reply_to_id?: string };
    const post: SocialPost = { ...makePost(me, body.content.trim(), new Date()), ...(body.reply_to_id ? { reply_to_id: body.reply_to_id } : {}) };
    fake.posts.unshift(post);
    if (typeof key === "string") fake.idempotency.set(key, post);
    return { status: 201, body: { post: fake.view(post) } };
  });
  if (opts.social) socialRoutes(fake, authed, unauthorized, page);
  stub.on("GET", /^\/api\/v1\/posts\/[^/]+$/, (req) => {
    if (!authed(req)) return unauthorized;
    const post = fake.posts.find((p) => p.id === req.path.split("/").pop());
    return post ? { body: { post: fake.view(post) } } : apiError(404, "not_found", "Post not found");
  });
  stub.on("DELETE", /^\/api\/v1\/posts\/[^/]+$/, (req) => {
    if (!authed(req)) return unauthorized;
    const id = req.path.split("/").pop()!;
    const index = fake.posts.findIndex((p) => p.id === id);
    if (index < 0) return apiError(404, "not_found", "Post not found");
    if (fake.posts[index]!.author_id !== me.id) return apiError(403, "forbidden", "Not your post");
    fake.posts.splice(index, 1);
    return { status: 204 };
  });
  return fake;
}

function sseFrame(event: { id: string; type: string; data: unknown }): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** A profile with its counts, and how `me` stands with it (not on your own). */
function profileOf(fake: FakeApi, user: User): { user: User; relationship?: object } {
  const count = (side: 0 | 1) => [...fake.follows].filter((f) => f.split(">")[side] === user.id).length;
  const counted = { ...user, followers_count: count(1), following_count: count(0), posts_count: fake.posts.filter((p) => p.author_id === user.id).length };
  if (user.id === fake.me.id) return { user: counted };
  const relationship = {
    following: fake.follows.has(`${fake.me.id}>${user.id}`),
    followed_by: fake.follows.has(`${user.id}>${fake.me.id}`),
    blocking: fake.blocks.has(user.id),
    blocked_by: false,
    muting: fake.mutes.has(user.id),
  };
  return { user: counted, relationship };
}

function socialRoutes(fake: FakeApi, authed: (req: StubRequest) => boolean, unauthorized: StubReply, page: (posts: Post[], req: StubRequest) => PostPage): void {
  const { stub, me } = fake;
  const postOf = (req: StubRequest): Post | undefined => fake.posts.find((p) => p.id === req.path.split("/")[4]);
  const userOf = (req: StubRequest): User | undefined => fake.users.find((u) => u.id === req.path.split("/")[4]);
  const notFound = apiError(404, "not_found", "Not found");

  stub.on("GET", "/api/v1/timeline/home", (req) => {
    if (!authed(req)) return unauthorized;
    const inHome = (id: string) => id === me.id || fake.follows.has(`${me.id}>${id}`);
    const entries: { at: string; post: SocialPost }[] = fake.posts.filter((p) => inHome(p.author_id)).map((p) => ({ at: p.created_at, post: fake.view(p) }));
    for (const [postId, list] of fake.reposts) {
      const post = fake.posts.find((p) => p.id === postId)!;
      if (inHome(post.author_id)) continue;
      for (const r of list.filter((r) => inHome(r.by))) entries.push({ at: r.at, post: { ...fake.view(post), repost: { by: fake.users.find((u) => u.id === r.by)!, at: r.at } } });
    }
    entries.sort((a, b) => b.at.localeCompare(a.at));
    return { body: page(entries.map((e) => e.post), req) };
  });
  stub.on("GET", /^\/api\/v1\/posts\/[^/]+\/thread$/, (req) => {
    if (!authed(req)) return unauthorized;
    const post = postOf(req);
    if (!post) return notFound;
    const ancestors: SocialPost[] = [];
    for (let at = post as SocialPost; at.reply_to_id; ) {
      const parent = fake.posts.find((p) => p.id === at.reply_to_id);
      if (!parent) break;
      ancestors.unshift(fake.view(parent));
      at = parent;
    }
    const replies = fake.posts.filter((p) => (p as SocialPost).reply_to_id === post.id).reverse().map((p) => fake.view(p));
    const { posts, next_cursor, has_more } = page(replies, req);
    return { body: { ancestors, post: fake.view(post), replies: posts, next_cursor, has_more } };
  });
  for (const method of ["POST", "DELETE"]) {
    stub.on(method, /^\/api\/v1\/posts\/[^/]+\/like$/, (req) => {
      if (!authed(req)) return unauthorized;
      const post = postOf(req);
      if (!post) return notFound;
      const set = fake.likes.get(post.id) ?? new Set<string>();
      if (method === "POST") set.add(me.id);
      else set.delete(me.id);
      fake.likes.set(post.id, set);
      return { body: { post: fake.view(post) } };
    });
    stub.on(method, /^\/api\/v1\/posts\/[^/]+\/repost$/, (req) => {
      if (!authed(req)) return unauthorized;
      const post = postOf(req);
      if (!post) return notFound;
      const list = (fake.reposts.get(post.id) ?? []).filter((r) => r.by !== me.id);
      if (method === "POST") list.push({ by: me.id, at: new Date().toISOString() });
      fake.reposts.set(post.id, list);
      return { body: { post: fake.view(post) } };
    });
    stub.on(method, /^\/api\/v1\/users\/[^/]+\/follow$/, (req) => {
      if (!authed(req)) return unauthorized;
      const user = userOf(req);
      if (!user) return notFound;
      if (user.id === me.id) return apiError(400, "validation_error", "You cannot follow yourself");
      if (method === "POST") fake.follow(me, user);
      else fake.follows.delete(`${me.id}>${user.id}`);
      return { body: profileOf(fake, user) };
    });
  }
  stub.on("GET", "/api/v1/notifications", (req) => {
    if (!authed(req)) return unauthorized;
    const limit = Number(req.query.get("limit") ?? 50);
    const cursor = req.query.get("cursor");
    const start = cursor ? fake.notifications.findIndex((n) => n.id === cursor) + 1 : 0;
    const slice = fake.notifications.slice(start, start + limit);
    const hasMore = start + limit < fake.notifications.length;
    const unread_count = fake.notifications.filter((n) => !n.read).length;
    return { body: { notifications: slice, next_cursor: hasMore ? slice[slice.length - 1]!.id : null, has_more: hasMore, unread_count } };
  });
  for (const method of ["POST", "DELETE"]) {
    stub.on(method, /^\/api\/v1\/users\/[^/]+\/(block|mute)$/, (req) => {
      if (!authed(req)) return unauthorized;
      const user = userOf(req);
      if (!user) return notFound;
      if (user.id === me.id) return apiError(400, "validation_error", "Not yourself");
      const set = req.path.endsWith("/block") ? fake.blocks : fake.mutes;
      if (method === "POST") set.add(user.id);
      else set.delete(user.id);
      return { body: profileOf(fake, user) };
    });
  }
  stub.on("POST", "/api/v1/reports", (req) => {
    if (!authed(req)) return unauthorized;
    const body = req.body as { post_id?: string; user_id?: string; reason: string };
    if ((body.post_id === undefined) === (body.user_id === undefined)) return apiError(400, "validation_error", "Exactly one of post_id and user_id");
    if (typeof body.reason !== "string" || body.reason.length < 1 || [...body.reason].length > 500) return apiError(400, "validation_error", "Reason is 1–500 characters", "reason");
    fake.reports.push(body);
    return { status: 201, body: { report: { id: `r${fake.reports.length}`, created_at: new Date().toISOString() } } };
  });
  stub.on("GET", "/api/v1/search/users", (req) => {
    if (!authed(req)) return unauthorized;
    const q = (req.query.get("q") ?? "").toLowerCase();
    if (q === "") return apiError(400, "validation_error", "q is required", "q");
    const limit = Number(req.query.get("limit") ?? 20);
    const rank = (u: User) => (u.username === q ? 0 : u.username.startsWith(q) ? 1 : 2);
    const users = fake.users.filter((u) => u.username.includes(q) || u.display_name.toLowerCase().includes(q)).sort((a, b) => rank(a) - rank(b));
    return { body: { users: users.slice(0, limit) } };
  });
  stub.on("GET", "/api/v1/search/posts", (req) => {
    if (!authed(req)) return unauthorized;
    const q = (req.query.get("q") ?? "").trim().toLowerCase();
    if (q === "") return apiError(400, "validation_error", "q is required", "q");
    const words = q.split(/\s+/);
    const hits = fake.posts.filter((p) => words.every((w) => p.content.toLowerCase().split(/[^\p{L}\p{N}_#]+/u).includes(w)));
    return { body: page(hits.map((p) => fake.view(p)), req) };
  });
  stub.on("GET", "/api/v1/stream", (req) => {
    if (!authed(req)) return unauthorized;
    const timeline = req.query.get("timeline") ?? "home";
    const last = req.headers["last-event-id"];
    return {
      stream: (res) => {
        const stream = { res, timeline };
        fake.streams.push(stream);
        res.on("close", () => fake.streams.splice(fake.streams.indexOf(stream) >>> 0, fake.streams.includes(stream) ? 1 : 0));
        // ready first (with the newest id), then what was missed since Last-Event-ID.
        const mine = fake.events.filter((e) => !e.timeline || e.timeline === timeline);
        const after = typeof last === "string" ? fake.events.findIndex((e) => e.id === last) : -1;
        const newest = fake.events[fake.events.length - 1]?.id ?? "e000000";
        res.write(`id: ${typeof last === "string" && after < 0 ? newest : (last ?? newest)}\nevent: ready\ndata: {}\n\n`);
        if (typeof last === "string" && after < 0) res.write(`id: ${newest}\nevent: reset\ndata: {}\n\n`);
        else if (typeof last === "string") for (const e of mine.filter((e) => fake.events.indexOf(e) > after)) res.write(sseFrame(e));
      },
    };
  });
  stub.on("POST", "/api/v1/notifications/read", (req) => {
    if (!authed(req)) return unauthorized;
    const upTo = (req.body as { up_to_id?: string } | undefined)?.up_to_id;
    const from = upTo === undefined ? 0 : fake.notifications.findIndex((n) => n.id === upTo);
    if (from < 0) return notFound;
    for (const n of fake.notifications.slice(from)) n.read = true;
    return { status: 204 };
  });
  stub.on("GET", /^\/api\/v1\/users\/[^/]+\/(followers|following)$/, (req) => {
    if (!authed(req)) return unauthorized;
    const user = userOf(req);
    if (!user) return notFound;
    const followers = req.path.endsWith("/followers");
    const ids = [...fake.follows].map((f) => f.split(">")).filter(([a, b]) => (followers ? b : a) === user.id).map(([a, b]) => (followers ? a : b)!);
    const users = ids.map((id) => fake.users.find((u) => u.id === id)!).reverse();
    const limit = Number(req.query.get("limit") ?? 50);
    const cursor = req.query.get("cursor");
    const start = cursor ? users.findIndex((u) => u.id === cursor) + 1 : 0;
    const slice = users.slice(start, start + limit);
    const hasMore = start + limit < users.length;
    return { body: { users: slice, next_cursor: hasMore ? slice[slice.length - 1]!.id : null, has_more: hasMore } };
  });
}
