// The views table: one line per view (header title, key scopes, component). A route is
// `{ view: name, params }`, its params typed by the view's component. Adding a view is a new
// file exporting a component of ViewProps<Params> plus one line here; the shell and the
// layout do not change.
import type { Post } from "../../api/index.js";
import { PostScreen } from "../views/PostView.js";
import { ProfileScreen, isOwnProfile } from "../views/ProfileView.js";
import { TimelineScreen } from "../views/TimelineView.js";
import { defineView, type ViewSpec } from "./view-types.js";

export const VIEWS = {
  timeline: defineView({ title: "Timeline", scopes: () => ["timeline"], component: TimelineScreen }),
  profile: defineView({ title: "Profile", scopes: (params, me) => [isOwnProfile(params, me) ? "own-profile" : "profile"], component: ProfileScreen }),
  post: defineView({ title: "Post", scopes: () => ["post"], component: PostScreen }),
};

export type ViewName = keyof typeof VIEWS;
export type ParamsOf<V extends ViewName> = (typeof VIEWS)[V] extends ViewSpec<infer P> ? P : never;
export type Route = { [V in ViewName]: { view: V; params: ParamsOf<V> } }[ViewName];

/** Where the app starts, and returns to after log-in, log-out and publishing. */
export const HOME: Route = { view: "timeline", params: {} };

export function viewSpec<V extends ViewName>(route: { view: V }): ViewSpec<ParamsOf<V>> {
  return VIEWS[route.view] as unknown as ViewSpec<ParamsOf<V>>;
}

/** A yes/no question in the status line; y does it, anything else keeps things as they are. */
export type Confirmation = { prompt: string; declined: string } & ({ action: "delete-post"; post: Post } | { action: "logout" });

/** What can cover the views: help, the two edit boxes, a question. */
export type Overlay = { overlay: "help" } | { overlay: "compose" } | { overlay: "edit-profile" } | { overlay: "confirm"; params: Confirmation };
