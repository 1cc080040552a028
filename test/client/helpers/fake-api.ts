// An in-memory implementation of the contract on top of the stub server, for UI tests
// that need a believable server plus the odd injected fault.
import type { Post, PostPage, Tokens, User } from "../../../src/api/index.js";
import { apiError, startStubServer, type StubRequest, type StubServer } from "./stub-server.js";
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
  close(): Promise<void>;
}

export async function startFakeApi(opts: { username?: string } = {}): Promise<FakeApi> {
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
      return { body: { user: me, tokens: issue(me) } };
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
  stub.on("GET", "/api/v1/users/me", (req) => (authed(req) ? { body: { user: me } } : unauthorized));
  stub.on("GET", /^\/api\/v1\/users\/[^/]+$/, (req) => {
    if (!authed(req)) return unauthorized;
    const ref = decodeURIComponent(req.path.split("/").pop()!);
    const user = fake.users.find((u) => u.id === ref || `@${u.username}` === ref || (ref === "me" && u === me));
    return user ? { body: { user } } : apiError(404, "not_found", "User not found");
  });
  stub.on("GET", /^\/api\/v1\/users\/[^/]+\/posts$/, (req) => {
    if (!authed(req)) return unauthorized;
    const ref = decodeURIComponent(req.path.split("/")[4]!);
    const user = fake.users.find((u) => u.id === ref || (ref === "me" && u === me));
    if (!user) return apiError(404, "not_found", "User not found");
    const own = fake.posts.filter((p) => p.author_id === user.id).map(({ author: _author, ...rest }) => rest);
    return { body: page(own, req) };
  });
  stub.on("PATCH", "/api/v1/users/me", (req) => {
    if (!authed(req)) return unauthorized;
    Object.assign(me, req.body as Partial<User>);
    return { body: { user: me } };
  });
  stub.on("GET", "/api/v1/timeline", (req) => (authed(req) ? { body: page(fake.posts, req) } : unauthorized));
  stub.on("POST", "/api/v1/posts", (req) => {
    if (!authed(req)) return unauthorized;
    const post = makePost(me, (req.body as { content: string }).content.trim(), new Date());
    fake.posts.unshift(post);
    return { status: 201, body: { post } };
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
