// The client's view of the social layer (social.md, "Objects — what is added"). Every new
// field is optional, so a v1 server (which sends none of them) still works: cards then show
// no counts and the actions' answers fill them in. The shared TypeBox schemas in src/api
// stay the server's; these types are what the client reads.
import type { NotificationType, Post, Relationship, User } from "../api/index.js";

export type { NotificationType, Relationship, UserPage } from "../api/index.js";

export interface UserRef {
  id: string;
  username: string;
}

/** A post as the social layer sends it. */
export interface SocialPost extends Post {
  reply_to_id?: string | null;
  reply_to_user?: UserRef | null;
  reply_count?: number;
  like_count?: number;
  repost_count?: number;
  liked?: boolean;
  reposted?: boolean;
  mentions?: UserRef[];
  tags?: string[];
  /** On a home-feed entry that is someone's repost of this post. */
  repost?: { by: User; at: string };
}

/** A profile user, with the counts the profile endpoints add. */
export interface SocialUser extends User {
  followers_count?: number;
  following_count?: number;
  posts_count?: number;
}

export interface SocialPostPage {
  posts: SocialPost[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface Thread {
  ancestors: SocialPost[];
  post: SocialPost;
  replies: SocialPost[];
  next_cursor: string | null;
  has_more: boolean;
}

/** The answer to follow / unfollow, and a profile with how the caller stands with it. */
export interface UserWithRelationship {
  user: SocialUser;
  /** Absent on your own profile, and from a v1 server. */
  relationship?: Relationship;
}

/** A list entry's identity: a repost entry is its own entry beside the original post. */
export function entryKey(post: SocialPost): string {
  return post.repost ? `${post.id}:repost:${post.repost.by.id}` : post.id;
}

/** social.md "Notifications": `post` is absent for a follow. */
export interface Notification {
  id: string;
  type: NotificationType;
  actor: User;
  post?: SocialPost;
  created_at: string;
  read: boolean;
}

export interface NotificationPage {
  notifications: Notification[];
  next_cursor: string | null;
  has_more: boolean;
  unread_count: number;
}
