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

/** A user on the profile endpoints (social.md): the embedded User plus exact counts. */
export const Profile = Type.Object(
  {
    ...User.properties,
    followers_count: Type.Integer({ minimum: 0 }),
    following_count: Type.Integer({ minimum: 0 }),
    posts_count: Type.Integer({ minimum: 0 }),
  },
  { $id: "Profile", additionalProperties: false },
);
export type Profile = Static<typeof Profile>;

/** How the caller stands with another user (GET /users/{id}, follow and unfollow). */
export const Relationship = Type.Object(
  {
    following: Type.Boolean(), followed_by: Type.Boolean(), blocking: Type.Boolean(),
    blocked_by: Type.Boolean(), muting: Type.Boolean(),
  },
  { $id: "Relationship", additionalProperties: false },
);
export type Relationship = Static<typeof Relationship>;

const UserRef = Type.Object({ id: Uuid, username: Type.String() }, { additionalProperties: false });
export type UserRef = Static<typeof UserRef>;

export const Post = Type.Object(
  {
    id: Uuid,
    author_id: Uuid,
    author: Type.Optional(Type.Ref("User")),
    content: Type.String({ description: "1–140 characters, newlines allowed" }),
    created_at: Timestamp,
    reply_to_id: Type.Union([Uuid, Type.Null()], { description: "the post it answers; kept after that post is deleted" }),
    reply_to_user: Type.Union([UserRef, Type.Null()], { description: "that post's author; null once the parent is deleted" }),
    reply_count: Type.Integer({ minimum: 0 }),
    like_count: Type.Integer({ minimum: 0 }),
    repost_count: Type.Integer({ minimum: 0, description: "counts are exact on a single post, a thread and an action's answer; on lists they may lag by up to 2 s" }),
    liked: Type.Boolean({ description: "by the caller, always exact" }),
    reposted: Type.Boolean({ description: "by the caller, always exact" }),
    mentions: Type.Array(UserRef, { description: "users named @username who existed when it was posted, in order, each once" }),
    tags: Type.Array(Type.String(), { description: "#tags, lower case, in order, each once" }),
    repost: Type.Optional(Type.Object(
      { by: Type.Ref("User"), at: Timestamp },
      { additionalProperties: false, description: "home feed only: this entry is the post as reposted by `by` at `at`" },
    )),
  },
  { $id: "Post", additionalProperties: false },
);
/** What every post carries since the social layer (social.md, "Objects — what is added"). */
export interface PostSocialFields {
  reply_to_id: string | null;
  reply_to_user: UserRef | null;
  reply_count: number;
  like_count: number;
  repost_count: number;
  liked: boolean;
  reposted: boolean;
  mentions: UserRef[];
  tags: string[];
}
/** A version 1 post (what the original server sent), which every answer extends. */
export type V1Post = Pick<Static<typeof Post>, "id" | "author_id" | "content" | "created_at"> & { author?: User };
/**
 * A post as this server sends it. The social fields are optional in the type only, so a
 * client built for v1 (and its test fixtures) still type-checks; the server always sends them.
 */
export type Post = V1Post & Partial<PostSocialFields> & { repost?: { by: User; at: string } };
/** A post as the server builds it: every field present. */
export type FullPost = V1Post & PostSocialFields & { repost?: { by: User; at: string } };

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
export const sharedSchemas: TSchema[] = [User, Profile, Relationship, Post, Tokens, ErrorBody];

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
  reply_to_id: Type.Optional(Type.Union([Type.String({ description: "the post this answers (a UUID)" }), Type.Null()])),
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
  { user: Type.Ref("Profile"), tokens: Type.Ref("Tokens") },
  { additionalProperties: false },
);
export type AuthResponse = { user: Profile; tokens: Tokens };

export const TokensResponse = Type.Object({ tokens: Type.Ref("Tokens") }, { additionalProperties: false });
export type TokensResponse = { tokens: Tokens };

export const UserResponse = Type.Object(
  { user: Type.Ref("Profile"), relationship: Type.Optional(Type.Ref("Relationship", { description: "when the caller is not that user" })) },
  { additionalProperties: false },
);
export type UserResponse = { user: Profile; relationship?: Relationship };

export const FollowResponse = Type.Object(
  { user: Type.Ref("Profile"), relationship: Type.Ref("Relationship") },
  { additionalProperties: false },
);
export type FollowResponse = { user: Profile; relationship: Relationship };

export const UserPage = Type.Object(
  {
    users: Type.Array(Type.Ref("User")),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
    has_more: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type UserPage = { users: User[]; next_cursor: string | null; has_more: boolean };

export const ThreadPage = Type.Object(
  {
    ancestors: Type.Array(Type.Ref("Post"), { description: "root-most first; the walk stops before the first deleted post, at most 100" }),
    post: Type.Ref("Post"),
    replies: Type.Array(Type.Ref("Post"), { description: "direct replies, oldest first, paged" }),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
    has_more: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ThreadPage = { ancestors: Post[]; post: Post; replies: Post[]; next_cursor: string | null; has_more: boolean };

export const ListPageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ description: "next_cursor of the previous page of this list" })),
  limit: Type.Optional(Type.String({ description: "integer 1–100, default 50" })),
});

export const TagParams = Type.Object({ tag: Type.String({ description: "a tag without #, case-insensitive" }) });
export type TagParams = Static<typeof TagParams>;

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
