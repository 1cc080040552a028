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

export interface Database {
  users: UsersTable;
  posts: PostsTable;
  refresh_tokens: RefreshTokensTable;
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
