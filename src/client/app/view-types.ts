// What every view gets from the shell. A view is a component taking ViewProps<its params>;
// the views table (views.ts) names it, gives its header title and key scopes.
import type { ComponentType } from "react";
import type { User } from "../../api/index.js";
import type { Notification, SocialPost } from "../social.js";
import type { CommandId, Scope } from "../keys/bindings.js";
import type { Feed } from "../state/use-post-feed.js";
import type { StatusApi } from "./status.js";
import type { Route } from "./views.js";

/** The header's tabs: the two timelines and the notifications. */
export type Tab = "home" | "global" | "notifications";

export interface Me {
  id: string;
  username: string;
}

/** The app state views share (the signed-in user, the home feed, what was just edited). */
export interface ViewContext {
  me: Me;
  status: StatusApi;
  /** Shows an error in the status line (stable: safe in a hook's dependencies). */
  showError: (message: string) => void;
  /** The two timelines, kept while other views cover them. */
  feeds: { home: Feed; global: Feed };
  /** Called when a timeline shows: Home reloads here after a follow or unfollow. */
  timelineShown: (which: "home" | "global") => void;
  /** A post as the user's last actions left it (optimistic likes and reposts). */
  patched: (post: SocialPost) => SocialPost;
  /** The last reply published, for a thread showing its parent to add it. */
  lastReply: SocialPost | null;
  /** Marks Home to be reloaded the next time it is shown (after a follow or unfollow). */
  homeChanged: () => void;
  /** A block or mute took effect: that user's posts and reposts leave both timelines at once. */
  authorHidden: (userId: string) => void;
  /** The profile as the edit box last saved it (shown over an older fetch). */
  savedProfile: { user: User; at: number } | null;
  /** The post deleted last, for views that list it to drop it. */
  deletedPostId: string | null;
  /** Sets the header's unread count (the notifications view, having marked some read). */
  setUnread: (count: number) => void;
  /** The last notification the stream brought, for the open notifications view to add. */
  notificationArrived: Notification | null;
  /** Open a view over this one (Esc comes back): how a view leads to another it knows. */
  open: (route: Route) => void;
  /** Asks y/n in the status line; y runs `yes`, anything else says `declined`. */
  confirm: (prompt: string, declined: string, yes: () => void) => void;
  /** Commands shared by several views (open a profile, compose, delete…), run by the shell. */
  run: (command: CommandId, post?: SocialPost, user?: User | null) => void;
}

export interface ViewProps<P> {
  params: P;
  /** Store new params for this view in the stack (where it was left, say). */
  setParams: (next: P) => void;
  width: number;
  height: number;
  maxCardHeight: number;
  /** An overlay covers the view. */
  dim: boolean;
  /** The view has the keyboard. */
  active: boolean;
  app: ViewContext;
}

export interface ViewSpec<P> {
  /** For the header. */
  title: string | ((params: P) => string);
  /** A timeline's tab, marked in the header while the view shows. */
  tab?: (params: P) => Tab;
  /** Key scopes, first first: the view's keys, its help and its status-line hints. */
  scopes: (params: P, me: Me) => Scope[];
  component: ComponentType<ViewProps<P>>;
}

/** Infers a view's params from its component. */
export function defineView<P>(spec: ViewSpec<P>): ViewSpec<P> {
  return spec;
}
