// What the screen is showing, derived from the session and the navigation state: the
// header's title and the key scopes in force (for keys, help and the status-line hints).
import type { Scope } from "../keys/bindings.js";
import type { AuthMode } from "../views/LoginView.js";
import { currentRoute, type NavState } from "./navigation.js";
import type { SessionState } from "./use-session.js";
import { HOME, viewSpec, type Overlay, type Route } from "./views.js";

export type Nav = NavState<Route, Overlay>;

const AUTH_TITLES: Record<AuthMode, string> = { login: "Log in", signup: "Sign up" };
/** Edit boxes that take the keyboard: their title (none: the view's stays) and scopes. */
const EDIT_OVERLAYS: Partial<Record<Overlay["overlay"], { title?: string; scopes: Scope[] }>> = {
  compose: { title: "New post", scopes: ["compose", "text-field"] },
  "edit-profile": { scopes: ["edit-profile", "text-field"] },
};

/** Help and questions over the screen change neither (help lists the keys under it). */
export function describeScreen(session: SessionState, nav: Nav, authMode: AuthMode): { title: string; scopes: Scope[] } {
  const route = currentRoute(nav);
  const view = viewSpec(route);
  // While the stored session is checked only the global keys work (and are all the hints say).
  if (session.state === "checking") return { title: viewSpec(HOME).title, scopes: [] };
  if (session.state === "anon") return { title: AUTH_TITLES[authMode], scopes: ["login", "text-field"] };
  const edit = nav.overlays.map((o) => EDIT_OVERLAYS[o.overlay]).findLast((e) => e !== undefined);
  if (edit) return { title: edit.title ?? view.title, scopes: edit.scopes };
  return { title: view.title, scopes: view.scopes(route.params as never, session.me) };
}

