// The navigation model: a stack of views (the bottom one is the root, e.g. the timeline) and,
// above it, a stack of overlays (help, compose, edit-profile, confirmations). A pure reducer,
// so what Esc, a new view or a confirmation does is tested without rendering anything.
// Routes and overlays are plain data: `{ view, params }` and `{ overlay, params }`.

export interface RouteLike {
  view: string;
  params: unknown;
}
export interface OverlayLike {
  overlay: string;
  params?: unknown;
}

export interface NavState<R extends RouteLike, O extends OverlayLike> {
  /** Never empty: the last route is the view on screen. */
  stack: readonly R[];
  /** The last overlay is on top and has the keyboard. */
  overlays: readonly O[];
}

export type NavAction<R extends RouteLike, O extends OverlayLike> =
  /** Open a view over the current one (Esc comes back). */
  | { type: "push"; route: R }
  /** Close the current view, unless it is the root. */
  | { type: "back" }
  /** Start again from this view alone, with no overlay (log-in, log-out, a new post). */
  | { type: "reset"; route: R }
  /** Replace a route still in the stack (found by identity) — a view remembering where it
   * was left; nothing happens if it has been closed meanwhile. */
  | { type: "replace"; route: R; next: R }
  /** Drop every view showing this (a deleted post's view, say). */
  | { type: "remove"; where: (route: R) => boolean }
  /** Open an overlay on top (not again if the same kind is already on top). */
  | { type: "open"; overlay: O }
  /** Close the topmost overlay, or the topmost of this kind. */
  | { type: "close"; overlay?: O["overlay"] }
  /** Esc with nothing else to take it: the top overlay closes, else the view goes back. */
  | { type: "escape" };

export function initialNav<R extends RouteLike, O extends OverlayLike>(root: R): NavState<R, O> {
  return { stack: [root], overlays: [] };
}

export function navigate<R extends RouteLike, O extends OverlayLike>(state: NavState<R, O>, action: NavAction<R, O>): NavState<R, O> {
  switch (action.type) {
    case "push":
      return { ...state, stack: [...state.stack, action.route] };
    case "back":
      return state.stack.length > 1 ? { ...state, stack: state.stack.slice(0, -1) } : state;
    case "reset":
      return { stack: [action.route], overlays: [] };
    case "replace":
      return state.stack.includes(action.route)
        ? { ...state, stack: state.stack.map((route) => (route === action.route ? action.next : route)) }
        : state;
    case "remove": {
      // The root stays whatever it shows: there must always be a view.
      const kept = state.stack.filter((route, index) => index === 0 || !action.where(route));
      return kept.length === state.stack.length ? state : { ...state, stack: kept };
    }
    case "open":
      return topOverlay(state)?.overlay === action.overlay.overlay ? state : { ...state, overlays: [...state.overlays, action.overlay] };
    case "close": {
      const at = action.overlay === undefined ? state.overlays.length - 1 : state.overlays.findLastIndex((o) => o.overlay === action.overlay);
      return at < 0 ? state : { ...state, overlays: state.overlays.filter((_, index) => index !== at) };
    }
    case "escape":
      return state.overlays.length > 0 ? navigate(state, { type: "close" }) : navigate(state, { type: "back" });
  }
}

export function currentRoute<R extends RouteLike, O extends OverlayLike>(state: NavState<R, O>): R {
  return state.stack[state.stack.length - 1]!;
}

export function topOverlay<R extends RouteLike, O extends OverlayLike>(state: NavState<R, O>): O | undefined {
  return state.overlays[state.overlays.length - 1];
}

/** The overlay of this kind, wherever it is in the overlay stack. */
export function findOverlay<R extends RouteLike, O extends OverlayLike, K extends O["overlay"]>(
  state: NavState<R, O>,
  kind: K,
): Extract<O, { overlay: K }> | undefined {
  return state.overlays.findLast((o) => o.overlay === kind) as Extract<O, { overlay: K }> | undefined;
}
