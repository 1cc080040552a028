// Blocks, mutes, reports and search (social.md, "Search" and "Blocks, mutes and reports"):
// the schemas of their routes and the report reason's rule, shared by server and client.
import { Type, type Static } from "@sinclair/typebox";
import type { FieldError } from "./rules.js";
import { countChars, hasControlCharsExceptTabNewline, hasVisibleChar, isStorableString, normalizePostContent } from "./text.js";
import { FollowResponse, type User } from "./schemas.js";

export const REPORT_REASON_MAX = 500;

const strict = { additionalProperties: false } as const;
const Uuid = Type.String({ format: "uuid" });
const Timestamp = Type.String({ format: "date-time" });

/** Block and mute answer as follow does: the user's profile and the caller's relationship to it. */
export const UserRelationshipResponse = FollowResponse;
export type UserRelationshipResponse = FollowResponse;

export const UsersResponse = Type.Object({ users: Type.Array(Type.Ref("User")) }, strict);
export type UsersResponse = { users: User[] };

export const ReportBody = Type.Object({
  post_id: Type.Optional(Type.String({ description: "the reported post (exactly one of post_id and user_id)" })),
  user_id: Type.Optional(Type.String({ description: "the reported user" })),
  reason: Type.String({ description: `1–${REPORT_REASON_MAX} characters after trimming, at least one visible; newline and tab allowed` }),
}, strict);
export type ReportBody = Static<typeof ReportBody>;

export const ReportResponse = Type.Object({ report: Type.Object({ id: Uuid, created_at: Timestamp }, strict) }, strict);
export type ReportResponse = { report: { id: string; created_at: string } };

export const SearchPostsQuery = Type.Object({
  q: Type.Optional(Type.String({ description: "words, \"phrases\", -exclusions, from:username, #tag; 1–200 characters" })),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String({ description: "integer 1–100, default 50" })),
});
export type SearchPostsQuery = Static<typeof SearchPostsQuery>;

export const SearchUsersQuery = Type.Object({
  q: Type.Optional(Type.String({ description: "a name or the start of one (a leading @ is ignored)" })),
  limit: Type.Optional(Type.String({ description: "integer 1–50, default 20" })),
});
export type SearchUsersQuery = Static<typeof SearchUsersQuery>;

export const SearchPostPage = Type.Object({
  posts: Type.Array(Type.Ref("Post")),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  has_more: Type.Boolean(),
}, strict);

/** The reason as stored: CR and CRLF become LF, white space trimmed at both ends (as post content). */
export const normalizeReportReason = normalizePostContent;

/** A report's reason: 1–500 characters after trimming, at least one visible, no control characters but newline and tab. */
export function checkReportReason(raw: string): FieldError | null {
  const invalid = (message: string): FieldError => ({ code: "validation_error", field: "reason", message });
  if (!isStorableString(raw)) return invalid("Reason contains characters that are not allowed");
  const value = normalizeReportReason(raw);
  if (hasControlCharsExceptTabNewline(value)) return invalid("Reason cannot contain control characters other than newline and tab");
  const n = countChars(value);
  if (n < 1 || n > REPORT_REASON_MAX) return invalid(`Reason must be 1–${REPORT_REASON_MAX} characters`);
  if (!hasVisibleChar(value)) return invalid("Reason must contain at least one visible character");
  return null;
}
