// notifications, follow, unfollow, search (social.md; older servers get a clear message).
import { formatNotification, formatPosts, formatUser } from "../format.js";
import { offered, printJson, printText, requireSession, type CommandContext } from "./context.js";

export async function notifications(ctx: CommandContext, options: { markRead?: boolean | undefined; limit?: number | undefined }): Promise<void> {
  requireSession(ctx);
  const page = await offered(ctx, "notifications", () => ctx.api.notifications(null, options.limit));
  if (ctx.json) printJson(ctx, page.notifications);
  else printText(ctx, page.notifications.length === 0 ? "No notifications." : page.notifications.map((n) => formatNotification(n, ctx.now())).join("\n"));
  // Up to the newest one printed: one that arrived meanwhile stays unread.
  const newest = page.notifications[0];
  if (options.markRead && newest) await ctx.api.markNotificationsRead(newest.id);
}

export async function follow(ctx: CommandContext, options: { username: string; follow: boolean }): Promise<void> {
  requireSession(ctx);
  const { user } = await offered(ctx, "follows", () => ctx.api.setFollowing(`@${options.username}`, options.follow), { pathHasId: true });
  if (ctx.json) printJson(ctx, [user]);
  else printText(ctx, `${options.follow ? "Following" : "No longer following"} @${user.username}`);
}

export async function search(ctx: CommandContext, options: { query: string; users?: boolean | undefined; limit?: number | undefined }): Promise<void> {
  requireSession(ctx);
  if (options.users) {
    // The user search takes at most 50 (social.md).
    const limit = options.limit === undefined ? undefined : Math.min(options.limit, 50);
    const users = await offered(ctx, "search", () => ctx.api.searchUsers(options.query, limit));
    if (ctx.json) printJson(ctx, users);
    else printText(ctx, users.length === 0 ? "Nobody found." : users.map(formatUser).join("\n"));
    return;
  }
  const page = await offered(ctx, "search", () => ctx.api.searchPosts(options.query, null, options.limit));
  if (ctx.json) printJson(ctx, page.posts);
  else printText(ctx, page.posts.length === 0 ? "No posts found." : formatPosts(page.posts, ctx.now()));
}
