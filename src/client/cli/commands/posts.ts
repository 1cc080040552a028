// post and timeline.
import { formatPost, formatPosts } from "../format.js";
import { readAll } from "../../keys/terminal-input.js";
import { offered, printJson, printText, requireSession, type CommandContext } from "./context.js";

export async function post(ctx: CommandContext, options: { text?: string | undefined; replyTo?: string | undefined }): Promise<void> {
  requireSession(ctx);
  let text = options.text;
  if (text === undefined) {
    if (ctx.stdin.isTTY) ctx.stderr.write("Type the post, then Ctrl+D on a line of its own:\n");
    text = await readAll(ctx.stdin);
  }
  const created = await ctx.api.createPost(text, options.replyTo === undefined ? {} : { replyToId: options.replyTo });
  if (ctx.json) printJson(ctx, [created]);
  else printText(ctx, formatPost(created, ctx.now()));
}

export async function timeline(ctx: CommandContext, options: { feed?: "home" | "global" | undefined; limit?: number | undefined }): Promise<void> {
  requireSession(ctx);
  const page =
    options.feed === "global"
      ? await ctx.api.timeline(null, options.limit)
      : await offered(ctx, "a home timeline", () => ctx.api.homeTimeline(null, options.limit), { hint: "try --global" });
  if (ctx.json) printJson(ctx, page.posts);
  else printText(ctx, page.posts.length === 0 ? "No posts yet." : formatPosts(page.posts, ctx.now()));
}
