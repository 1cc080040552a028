// The database as Kysely sees it. Timestamps are strings on purpose: they are formatted by
// PostgreSQL (see sql.ts) so microseconds never pass through a JavaScript Date.
import type { Generated } from "kysely";

export interface UsersTable {
  id: Generated<string>;
  username: string;
  email: string;
  password_hash: string;
  display_name: string;
  bio: Generated<string>;
  created_at: Generated<string>;
  updated_at: Generated<string>;
  /** Counters kept exact by triggers (migration 0005); never written by the service. */
  followers_count: Generated<number>;
  following_count: Generated<number>;
  posts_count: Generated<number>;
  /** Access tokens carry the epoch they were issued in; moving it on revokes them all. */
  token_epoch: Generated<number>;
  suspended_at: Generated<string | null>;
  role: Generated<"user" | "moderator" | "admin">;
}

export interface PostsTable {
  id: Generated<string>;
  author_id: string;
  content: string;
  created_at: Generated<string>;
  /** The post this answers; kept (no foreign key) after that post is deleted. */
  reply_to_id: string | null;
  /** Counters kept exact by triggers (migration 0005); never written by the service. */
  reply_count: Generated<number>;
  like_count: Generated<number>;
  repost_count: Generated<number>;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  /** The login this token descends from by rotation; logout revokes the whole session. */
  session_id: Generated<string>;
  expires_at: string;
  created_at: Generated<string>;
  /** Set when the token was exchanged for a new pair (single use). */
  used_at: string | null;
  /** Set by logout or by the theft rule. */
  revoked_at: string | null;
}

export interface FollowsTable {
  follower_id: string;
  followee_id: string;
  created_at: Generated<string>;
}

export interface LikesTable {
  user_id: string;
  post_id: string;
  created_at: Generated<string>;
}

export interface RepostsTable {
  /** The home-feed entry's id (a post's entry uses the post's id). */
  id: Generated<string>;
  user_id: string;
  post_id: string;
  created_at: Generated<string>;
}

export interface PostMentionsTable {
  post_id: string;
  user_id: string;
  /** Order of first appearance in the content. */
  position: number;
  /** The post's created_at. */
  created_at: string;
}

export interface PostTagsTable {
  post_id: string;
  tag: string;
  position: number;
  created_at: string;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  post_id: string;
  created_at: Generated<string>;
}

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: Generated<string>;
}

export interface MutesTable {
  muter_id: string;
  muted_id: string;
  created_at: Generated<string>;
}

export interface Database {
  users: UsersTable;
  posts: PostsTable;
  refresh_tokens: RefreshTokensTable;
  follows: FollowsTable;
  likes: LikesTable;
  reposts: RepostsTable;
  post_mentions: PostMentionsTable;
  post_tags: PostTagsTable;
  idempotency_keys: IdempotencyKeysTable;
  blocks: BlocksTable;
  mutes: MutesTable;
  ssh_keys: SshKeysTable;
  ssh_challenges: SshChallengesTable;
  invites: InvitesTable;
  reports: ReportsTable;
  audit_log: AuditLogTable;
}

// Accounts and operators (accounts/migrations.ts).
export interface SshKeysTable {
  id: Generated<string>;
  user_id: string;
  key_type: string;
  /** The key's wire blob, base64. */
  public_key: string;
  fingerprint: string;
  comment: string | null;
  created_at: Generated<string>;
}

export interface SshChallengesTable {
  challenge: string;
  username: string;
  expires_at: string;
}

export interface InvitesTable {
  code: string;
  uses_allowed: number;
  uses: Generated<number>;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: Generated<string>;
}

export interface ReportsTable {
  id: Generated<string>;
  reporter_id: string | null;
  post_id: string | null;
  user_id: string | null;
  content: Generated<string>;
  reason: Generated<string>;
  created_at: Generated<string>;
  resolved_at: string | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  actor: string;
  action: string;
  target: string;
  details: Generated<string>;
  created_at: Generated<string>;
}
