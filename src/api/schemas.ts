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
        code: Type.String({
          description: "validation_error, content_too_long, unauthorized, token_expired, forbidden, not_found, method_not_allowed, " +
            "conflict, payload_too_large, unsupported_media_type, rate_limited, internal_error, unavailable or suspended (403: the account is suspended)",
        }),
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

// The rules the server applies (rules.ts), for the OpenAPI document. Not as JSON-schema keywords:
// maxLength counts UTF-16 units where the contract counts code points, and the rules must report
// in the contract's order with its messages.
const Username = Type.String({
  description: "3–15 ASCII letters, digits and underscores; starts and ends with a letter or digit; no two underscores in a row; " +
    "case-insensitive, stored lower case; a few names are reserved (admin, root, me, …)",
});
const Email = Type.String({ description: "one @, a dot in the domain, no white space, at most 254 characters; case-insensitive" });
const Password = Type.String({ description: "8–128 characters" });
const chars = "characters are Unicode code points";

export const RegisterBody = Type.Object({
  username: Username, email: Email, password: Password,
  invite_code: Type.Optional(Type.String({ description: "required when the server's registration is `invite` (GET /api/v1/instance says); ignored otherwise" })),
}, strict);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({ email: Email, password: Type.String() }, strict);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object({ refresh_token: Type.String() }, strict);
export type RefreshBody = Static<typeof RefreshBody>;

export const CreatePostBody = Type.Object({
  content: Type.String({
    description: `CR and CRLF become LF, then white space is trimmed at both ends (as String.prototype.trim); then 1–140 characters; newline and tab allowed, other control characters refused; ${chars}`,
  }),
}, strict);
export type CreatePostBody = Static<typeof CreatePostBody>;

export const UpdateProfileBody = Type.Object(
  {
    display_name: Type.Optional(Type.String({ description: `1–50 characters, no control characters; ${chars}` })),
    bio: Type.Optional(Type.String({ description: `0–160 characters; newline and tab allowed, no other control characters; ${chars}` })),
  },
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
