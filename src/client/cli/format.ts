// Plain text of the command line's output, for people. Scripts use --json (the API's objects
// untouched); this text may change between versions.
import type { Post, User } from "../../api/index.js";
import type { Notification } from "../social.js";
import type { SessionSummary } from "../config/session-store.js";
import { formatRelativeTime } from "../text/relative-time.js";

/**
 * Text from the server shown in a terminal: control characters other than newline and tab
 * become U+FFFD, so no post can move the cursor or retitle the window of whoever reads it.
 */
export function safeText(text: string): string {
  return text.replace(/[\p{Cc}--[\n\t]]/gv, "\uFFFD");
}

const indent = (text: string) => safeText(text).split("\n").map((line) => `  ${line}`).join("\n");

/** One post: a header line (who, when, id), what it answers or who reposted it, then its text. */
export function formatPost(post: Post, now: Date = new Date()): string {
  const extra = post as Post & { reply_to_user?: { username: string } | null; repost?: { by: User } };
  const who = post.author ? `@${post.author.username}` : post.author_id;
  const lines = [`${safeText(who)} · ${formatRelativeTime(post.created_at, now)} · ${post.id}`];
  if (extra.repost) lines.push(`  ↻ reposted by @${safeText(extra.repost.by.username)}`);
  if (extra.reply_to_user) lines.push(`  ↳ replying to @${safeText(extra.reply_to_user.username)}`);
  lines.push(indent(post.content));
  return lines.join("\n");
}

/** Posts newest first, a blank line between them. */
export function formatPosts(posts: readonly Post[], now: Date = new Date()): string {
  return posts.map((post) => formatPost(post, now)).join("\n\n");
}

export function formatUser(user: User): string {
  const name = user.display_name !== "" && user.display_name !== user.username ? `  ${safeText(user.display_name)}` : "";
  const bio = user.bio.trim() !== "" ? ` — ${safeText(user.bio.replace(/\s+/g, " ").trim())}` : "";
  return `@${user.username}${name}${bio}`;
}

const NOTIFICATION_VERBS: Record<string, string> = {
  follow: "followed you",
  like: "liked your post",
  repost: "reposted your post",
  reply: "replied",
  mention: "mentioned you",
};

/** One notification: unread ones marked with *, the post's first line quoted. */
export function formatNotification(notification: Notification, now: Date = new Date()): string {
  const verb = NOTIFICATION_VERBS[notification.type] ?? notification.type;
  const quote = notification.post ? `: “${safeText(notification.post.content.split("\n")[0] ?? "")}”` : "";
  const mark = notification.read ? " " : "*";
  return `${mark} @${safeText(notification.actor.username)} ${verb}${quote} · ${formatRelativeTime(notification.created_at, now)}`;
}

/** `whoami`'s list of stored sessions, the current server's marked with *. */
export function formatSessions(sessions: readonly SessionSummary[], current: string): string {
  if (sessions.length === 0) return "No stored sessions.";
  const width = Math.max(...sessions.map((s) => s.server_url.length));
  return [
    "Sessions:",
    ...sessions.map((s) => {
      const mark = s.server_url === current ? "*" : " ";
      const who = s.username !== undefined ? `@${s.username}` : "(unknown account)";
      return `${mark} ${s.server_url.padEnd(width)}  ${who}`;
    }),
  ].join("\n");
}
