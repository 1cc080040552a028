// The views table: one line per view (header title, key scopes, component). A route is
// `{ view: name, params }`, its params typed by the view's component. Adding a view is a new
// file exporting a component of ViewProps<Params> plus one line here; the shell and the
// layout do not change.
import type { SocialPost } from "../social.js";
import { ProfileScreen, isOwnProfile } from "../views/ProfileView.js";
import { NotificationsScreen } from "../views/NotificationsView.js";
import { ThreadScreen } from "../views/ThreadView.js";
import { TIMELINE_TITLES, TimelineScreen, type TimelineName } from "../views/TimelineView.js";
import { UserListScreen, userListTitle } from "../views/UserListView.js";
import { defineView, type ViewSpec } from "./view-types.js";

export const VIEWS = {
  timeline: defineView({ title: (p) => TIMELINE_TITLES[p.which], tab: (p) => p.which, scopes: () => ["timeline"], component: TimelineScreen }),
  profile: defineView({ title: "Profile", scopes: (params, me) => [isOwnProfile(params, me) ? "own-profile" : "profile"], component: ProfileScreen }),
  thread: defineView({ title: "Thread", scopes: () => ["thread"], component: ThreadScreen }),
  notifications: defineView({ title: "Notifications", tab: () => "notifications", scopes: () => ["notifications"], component: NotificationsScreen }),
  users: defineView({ title: userListTitle, scopes: () => ["users"], component: UserListScreen }),
};

export type ViewName = keyof typeof VIEWS;
export type ParamsOf<V extends ViewName> = (typeof VIEWS)[V] extends ViewSpec<infer P> ? P : never;
export type Route = { [V in ViewName]: { view: V; params: ParamsOf<V> } }[ViewName];

export function timelineRoute(which: TimelineName): Route {
  return { view: "timeline", params: { which } };
}

/** Where the app starts (before anyone is known to follow anyone): the global timeline. */
export const HOME: Route = timelineRoute("global");

export function viewSpec<V extends ViewName>(route: { view: V }): ViewSpec<ParamsOf<V>> {
  return VIEWS[route.view] as unknown as ViewSpec<ParamsOf<V>>;
}

/** The view's header title for these params. */
export function titleOf(route: Route): string {
  const spec = viewSpec(route);
  return typeof spec.title === "string" ? spec.title : spec.title(route.params as never);
}

/** A yes/no question in the status line; y does it, anything else keeps things as they are. */
export type Confirmation = { prompt: string; declined: string } & (
  | { action: "delete-post"; post: SocialPost }
  | { action: "logout" }
  /** A view's own question (block): y runs `yes`. */
  | { action: "callback"; yes: () => void }
);

/** What a report is about, and how the box names it. */
export type ReportTarget = { label: string } & ({ post_id: string } | { user_id: string });

/** What can cover the views: help, the edit boxes, a question (drawn by the OVERLAYS table). */
export type Overlay =
  | { overlay: "help" }
  | { overlay: "compose" }
  | { overlay: "reply"; params: { post: SocialPost } }
  | { overlay: "edit-profile" }
  | { overlay: "report"; params: ReportTarget }
  | { overlay: "search" }
  | { overlay: "confirm"; params: Confirmation };
