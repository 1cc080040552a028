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
}
