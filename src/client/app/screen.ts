// What the screen is showing, derived from the session and the navigation state: the
// header's title, the timeline tab to mark, and the key scopes in force (for keys, help and
// the status-line hints).
import type { Scope } from "../keys/bindings.js";
import type { AuthMode } from "../views/LoginView.js";
import { currentRoute, type NavState } from "./navigation.js";
import { overlaySpec } from "./overlays.js";
import type { SessionState } from "./use-session.js";
import type { Tab } from "./view-types.js";
import { HOME, titleOf, viewSpec, type Overlay, type Route } from "./views.js";

export type Nav = NavState<Route, Overlay>;

const AUTH_TITLES: Record<AuthMode, string> = { login: "Log in", signup: "Sign up" };

export interface ScreenDescription {
  title: string;
  scopes: Scope[];
  /** The timeline shown, for the header's tabs (none: another view). */
  tab?: Tab;
}

/** Help and questions over the screen change neither (help lists the keys under it). */
export function describeScreen(session: SessionState, nav: Nav, authMode: AuthMode): ScreenDescription {
  const route = currentRoute(nav);
  const view = viewSpec(route);
  // While the stored session is checked only the global keys work (and are all the hints say).
  if (session.state === "checking") return { title: titleOf(HOME), scopes: [] };
  if (session.state === "anon") return { title: AUTH_TITLES[authMode], scopes: ["login", "text-field"] };
  const edit = nav.overlays.findLast((o) => overlaySpec(o).edit !== undefined);
  if (edit) {
    const spec = overlaySpec(edit).edit!;
    return { title: spec.title?.(edit) ?? titleOf(route), scopes: spec.scopes };
  }
  const tab = view.tab?.(route.params as never);
  return { title: titleOf(route), scopes: view.scopes(route.params as never, session.me), ...(tab ? { tab } : {}) };
}
