// The navigation model, without rendering: the stack of views, the overlays above it, what
// Esc does, and the header title and key scopes the shell derives from them.
import { describe, expect, it } from "vitest";
import type { Post } from "../../src/api/index.js";
import { describeScreen } from "../../src/client/app/screen.js";
import { currentRoute, findOverlay, initialNav, navigate, topOverlay, type NavAction, type NavState } from "../../src/client/app/navigation.js";
import { HOME, VIEWS, timelineRoute, type Overlay, type Route } from "../../src/client/app/views.js";

type Nav = NavState<Route, Overlay>;
const run = (...actions: NavAction<Route, Overlay>[]): Nav => actions.reduce(navigate<Route, Overlay>, initialNav<Route, Overlay>(HOME));
const profile = (userRef: string): Route => ({ view: "profile", params: { userRef } });
const post = { id: "p1", author_id: "u2", content: "hi", created_at: "2026-01-01T00:00:00Z" } as Post;
const me = { id: "u1", username: "ada" };
const bob = { id: "u2", username: "bob", display_name: "Bob", bio: "", created_at: "2026-01-01T00:00:00Z" };
const thread: Route = { view: "thread", params: { post } };

describe("navigation model", () => {
  it("starts at the root, pushes views and goes back, never past the root", () => {
    let nav = run();
    expect(currentRoute(nav)).toBe(HOME);
    nav = navigate(nav, { type: "push", route: profile("u2") });
    nav = navigate(nav, { type: "push", route: { view: "thread", params: { post } } });
    expect(nav.stack.map((r) => r.view)).toEqual(["timeline", "profile", "thread"]);
    nav = navigate(nav, { type: "back" });
    expect(currentRoute(nav)).toEqual(profile("u2"));
    nav = navigate(navigate(nav, { type: "back" }), { type: "back" });
    expect(nav.stack).toEqual([HOME]);
  });

  it("Esc closes the topmost overlay first, then goes back", () => {
    let nav = run({ type: "push", route: profile("u2") }, { type: "open", overlay: { overlay: "compose" } }, { type: "open", overlay: { overlay: "help" } });
    expect(topOverlay(nav)).toEqual({ overlay: "help" });
    nav = navigate(nav, { type: "escape" });
    expect(topOverlay(nav)).toEqual({ overlay: "compose" });
    nav = navigate(nav, { type: "escape" });
    expect(nav.overlays).toEqual([]);
    expect(currentRoute(nav).view).toBe("profile");
    nav = navigate(nav, { type: "escape" });
    expect(currentRoute(nav)).toBe(HOME);
  });

  it("does not stack the same overlay twice, and closes one by kind", () => {
    let nav = run({ type: "open", overlay: { overlay: "compose" } }, { type: "open", overlay: { overlay: "help" } }, { type: "open", overlay: { overlay: "help" } });
    expect(nav.overlays).toHaveLength(2);
    nav = navigate(nav, { type: "close", overlay: "compose" });
    expect(nav.overlays).toEqual([{ overlay: "help" }]);
    expect(navigate(nav, { type: "close", overlay: "compose" })).toBe(nav); // nothing to close: same state
  });

  it("reset starts again from one view with no overlay", () => {
    const nav = run({ type: "push", route: profile("u2") }, { type: "open", overlay: { overlay: "edit-profile" } }, { type: "reset", route: HOME });
    expect(nav).toEqual({ stack: [HOME], overlays: [] });
  });

  it("replace updates a route still in the stack, and ignores one already closed", () => {
    const covered = profile("u2");
    let nav = run({ type: "push", route: covered }, { type: "push", route: { view: "thread", params: { post } } });
    const left = { view: "profile", params: { userRef: "u2", left: undefined } } as Route;
    nav = navigate(nav, { type: "replace", route: covered, next: left });
    expect(nav.stack[1]).toBe(left);
    const closed = navigate(navigate(nav, { type: "back" }), { type: "back" });
    expect(navigate(closed, { type: "replace", route: left, next: profile("x") })).toBe(closed);
  });

  it("remove drops every view showing a thing, but never the root", () => {
    const nav = run({ type: "push", route: { view: "thread", params: { post } } }, { type: "push", route: profile("u2") }, { type: "push", route: { view: "thread", params: { post } } });
    const after = navigate(nav, { type: "remove", where: (r) => r.view === "thread" && r.params.post.id === "p1" });
    expect(after.stack.map((r) => r.view)).toEqual(["timeline", "profile"]);
    expect(navigate(after, { type: "remove", where: () => true }).stack).toEqual([HOME]);
  });

  it("finds a confirmation with its question", () => {
    const nav = run({ type: "open", overlay: { overlay: "confirm", params: { action: "delete-post", post, prompt: "Delete this post? y/n", declined: "Kept" } } });
    expect(findOverlay(nav, "confirm")?.params.prompt).toBe("Delete this post? y/n");
    expect(findOverlay(nav, "help")).toBeUndefined();
  });
});

describe("social routes", () => {
  it("a thread opened from a thread goes deeper, and Esc comes back up one at a time", () => {
    const reply = { ...post, id: "p2" };
    const deeper: Route = { view: "thread", params: { post: reply } };
    let nav = run({ type: "push", route: thread }, { type: "push", route: deeper });
    expect(nav.stack.map((r) => r.view)).toEqual(["timeline", "thread", "thread"]);
    nav = navigate(nav, { type: "escape" });
    expect(currentRoute(nav)).toBe(thread);
    nav = navigate(nav, { type: "escape" });
    expect(currentRoute(nav)).toBe(HOME);
  });

  it("1 and 2 start again from that timeline; a user list opens over a profile", () => {
    const users: Route = { view: "users", params: { userId: "u2", username: "bob", which: "followers" } };
    let nav = run({ type: "push", route: profile("u2") }, { type: "push", route: users });
    expect(describeScreen({ state: "in", me }, nav, "login")).toEqual({ title: "Followers of @bob", scopes: ["users"] });
    nav = navigate(nav, { type: "reset", route: timelineRoute("home") });
    expect(nav.stack).toEqual([timelineRoute("home")]);
  });

  it("deleting a post closes every thread view of it", () => {
    const nav = run({ type: "push", route: thread }, { type: "push", route: profile("u2") }, { type: "push", route: thread });
    const after = navigate(nav, { type: "remove", where: (r) => r.view === "thread" && r.params.post.id === "p1" });
    expect(after.stack.map((r) => r.view)).toEqual(["timeline", "profile"]);
  });
});

describe("what the screen shows", () => {
  const signedIn = { state: "in", me } as const;

  it("takes the view's title and scopes from the views table", () => {
    expect(describeScreen(signedIn, run(), "login")).toEqual({ title: "Global", scopes: ["timeline"], tab: "global" });
    expect(describeScreen(signedIn, run({ type: "reset", route: timelineRoute("home") }), "login")).toEqual({ title: "Home", scopes: ["timeline"], tab: "home" });
    expect(Object.keys(VIEWS)).toEqual(["timeline", "profile", "thread", "notifications", "users"]);
    expect(describeScreen(signedIn, run({ type: "push", route: profile("u2") }), "login").scopes).toEqual(["profile"]);
    expect(describeScreen(signedIn, run({ type: "push", route: profile("me") }), "login").scopes).toEqual(["own-profile"]);
    expect(describeScreen(signedIn, run({ type: "push", route: { view: "thread", params: { post } } }), "login").title).toBe("Thread");
  });

  it("an edit box takes the keys, and help over it shows them; a question changes nothing", () => {
    const composing = run({ type: "open", overlay: { overlay: "compose" } }, { type: "open", overlay: { overlay: "help" } });
    expect(describeScreen(signedIn, composing, "login")).toEqual({ title: "New post", scopes: ["compose", "text-field"] });
    const editing = run({ type: "push", route: profile("u1") }, { type: "open", overlay: { overlay: "edit-profile" } });
    expect(describeScreen(signedIn, editing, "login")).toEqual({ title: "Profile", scopes: ["edit-profile", "text-field"] });
    const replying = run({ type: "push", route: thread }, { type: "open", overlay: { overlay: "reply", params: { post: { ...post, author: bob } } } });
    expect(describeScreen(signedIn, replying, "login")).toEqual({ title: "Reply to @bob", scopes: ["compose", "text-field"] });
    const asking = run({ type: "open", overlay: { overlay: "confirm", params: { action: "delete-post", post, prompt: "?", declined: "Kept" } } });
    expect(describeScreen(signedIn, asking, "login").scopes).toEqual(["timeline"]);
  });

  it("before sign-in: the log-in form's keys, or none while a stored session is checked", () => {
    expect(describeScreen({ state: "anon" }, run(), "signup")).toEqual({ title: "Sign up", scopes: ["login", "text-field"] });
    expect(describeScreen({ state: "checking" }, run(), "login")).toEqual({ title: "Global", scopes: [] });
  });
});
