// The HTTP contract (../shared/spec/api-v1.md) as TypeBox schemas: the server validates and
// serialises with them, the OpenAPI document is generated from them, and the client's types
// come from them. Body schemas check structure only (types, required, unknown properties);
// the character rules live in rules.ts so they run in the contract's order.
import { Type, type Static, type TSchema } from "@sinclair/typebox";

const Timestamp = Type.String({
  format: "date-time",
  description: "RFC 3339, UTC, exactly six fractional digits",
  examples: ["2026-02-15T22:00:00.123456Z"],
});
const Uuid = Type.String({ format: "uuid" });

export const User = Type.Object(
  {
    id: Uuid,
    username: Type.String({ description: "lower case, as stored" }),
    display_name: Type.String({ description: "1–50 characters" }),
    bio: Type.String({ description: "0–160 characters" }),
    created_at: Timestamp,
  },
  { $id: "User", additionalProperties: false },
);
export type User = Static<typeof User>;

export const Post = Type.Object(
  {
    id: Uuid,
    author_id: Uuid,
    author: Type.Optional(Type.Ref("User")),
    content: Type.String({ description: "1–140 characters, newlines allowed" }),
    created_at: Timestamp,
  },
  { $id: "Post", additionalProperties: false },
);
export type Post = Omit<Static<typeof Post>, "author"> & { author?: User };

export const Tokens = Type.Object(
  {
    access_token: Type.String(),
    refresh_token: Type.String(),
    expires_at: Timestamp,
  },
  { $id: "Tokens", additionalProperties: false },
);
export type Tokens = Static<typeof Tokens>;

export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String(),
        message: Type.String(),
        field: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { $id: "ErrorBody", additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Every named schema, registered once with the server (fastify.addSchema). */
export const sharedSchemas: TSchema[] = [User, Post, Tokens, ErrorBody];

const strict = { additionalProperties: false } as const;

export const RegisterBody = Type.Object(
  { username: Type.String(), email: Type.String(), password: Type.String() },
  strict,
);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({ email: Type.String(), password: Type.String() }, strict);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object({ refresh_token: Type.String() }, strict);
export type RefreshBody = Static<typeof RefreshBody>;

export const CreatePostBody = Type.Object({ content: Type.String() }, strict);
export type CreatePostBody = Static<typeof CreatePostBody>;

export const UpdateProfileBody = Type.Object(
  { display_name: Type.Optional(Type.String()), bio: Type.Optional(Type.String()) },
  strict,
);
export type UpdateProfileBody = Static<typeof UpdateProfileBody>;

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ description: "next_cursor of the previous page, or an RFC 3339 timestamp" })),
  limit: Type.Optional(Type.String({ description: "integer 1–100, default 50" })),
});
export type PageQuery = Static<typeof PageQuery>;

export const IdParams = Type.Object({
  id: Type.String({ description: "a UUID; on user paths also `me` or `@username`" }),
});
export type IdParams = Static<typeof IdParams>;

export const AuthResponse = Type.Object(
  { user: Type.Ref("User"), tokens: Type.Ref("Tokens") },
  { additionalProperties: false },
);
export type AuthResponse = { user: User; tokens: Tokens };

export const TokensResponse = Type.Object({ tokens: Type.Ref("Tokens") }, { additionalProperties: false });
export type TokensResponse = { tokens: Tokens };

export const UserResponse = Type.Object({ user: Type.Ref("User") }, { additionalProperties: false });
export type UserResponse = { user: User };

export const PostResponse = Type.Object({ post: Type.Ref("Post") }, { additionalProperties: false });
export type PostResponse = { post: Post };

export const PostPage = Type.Object(
  {
    posts: Type.Array(Type.Ref("Post")),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
    has_more: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type PostPage = { posts: Post[]; next_cursor: string | null; has_more: boolean };

export const Health = Type.Object(
  { status: Type.String(), version: Type.Optional(Type.String()), message: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type Health = Static<typeof Health>;
