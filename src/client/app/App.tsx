// The application shell: wires the session (use-session), the navigation model (navigation,
// over the views table in views.ts) and the commands that lead from one view to another,
// and hands the layout (Layout) what to draw. A new view is not an edit of this file.
import { useCallback, useReducer, useState, type ReactNode } from "react";
import { Box, Text, useApp, useStdout } from "ink";
import type { Post, User } from "../../api/index.js";
import { describeError } from "../api-errors.js";
import { ComposeOverlay } from "../components/ComposeOverlay.js";
import { EditProfileOverlay } from "../components/EditProfileOverlay.js";
import { HelpOverlay } from "../components/HelpOverlay.js";
import { commandFor, hintsFor, typesText, type CommandId } from "../keys/bindings.js";
import { KeyRouterProvider, LAYER, useKeyHandler } from "../keys/key-router.js";
import { usePostFeed } from "../state/use-post-feed.js";
import { LoginView, type AuthMode } from "../views/LoginView.js";
import { isOwnProfile } from "../views/ProfileView.js";
import { contentSize, isTooSmall, Layout } from "./Layout.js";
import { currentRoute, findOverlay, initialNav, navigate, topOverlay, type NavAction } from "./navigation.js";
import { useServices } from "./services.js";
import { useStatus, type StatusApi } from "./status.js";
import { useTerminalSize } from "./terminal-size.js";
import { describeScreen, type Nav } from "./screen.js";
import { useSession } from "./use-session.js";
import type { ViewContext } from "./view-types.js";
import { HOME, viewSpec, type Overlay, type Route } from "./views.js";

/** Clear the screen and home the cursor; Ink then writes the whole frame again. */
const CLEAR_SCREEN = "\x1b[2J\x1b[H";
const reduce = (state: Nav, action: NavAction<Route, Overlay>): Nav => navigate(state, action);

export function App(props: { onExit?: () => void }): ReactNode {
  const { exit } = useApp();
  const quit = useCallback(() => {
    props.onExit?.();
    exit();
  }, [exit, props]);
  const status = useStatus();
  return (
    <KeyRouterProvider onInterrupt={quit} onAnyKey={status.dismiss}>
      <Shell quit={quit} status={status} />
    </KeyRouterProvider>
  );
}

function Shell(props: { quit: () => void; status: StatusApi }): ReactNode {
  const { api, theme } = useServices();
  const { status, quit } = props;
  const { write } = useStdout();
  const [, setRedraws] = useState(0);
  const terminal = useTerminalSize();
  const tooSmall = isTooSmall(terminal);
  const { columns, contentHeight } = contentSize(terminal);
  const [nav, dispatch] = useReducer(reduce, HOME, (root) => initialNav<Route, Overlay>(root));
  const [savedProfile, setSavedProfile] = useState<{ user: User; at: number } | null>(null);
  const [deletedPostId, setDeletedPostId] = useState<string | null>(null);
  /** Which form the log-in screen shows, for the header. */
  const [authMode, setAuthMode] = useState<AuthMode>("login");

  const { show } = status; // a stable callback, unlike the status object
  const showError = useCallback((message: string) => show("error", message), [show]);
  const fetchTimeline = useCallback((cursor: string | null) => api.timeline(cursor), [api]);
  const timeline = usePostFeed(fetchTimeline, showError);

  const session = useSession({
    status,
    onEnter: () => {
      dispatch({ type: "reset", route: HOME });
      void timeline.refresh();
    },
    onEnd: () => {
      dispatch({ type: "reset", route: HOME });
      timeline.reset(); // at its newest post, not where the old account had scrolled to
    },
  });
  const { me } = session;
  const route = currentRoute(nav);
  const help = findOverlay(nav, "help") !== undefined;
  const confirm = findOverlay(nav, "confirm")?.params ?? null;

  const deletePost = async (post: Post): Promise<void> => {
    const done = status.progress("Deleting…");
    try {
      await api.deletePost(post.id);
      done();
      timeline.remove(post.id);
      setDeletedPostId(post.id);
      dispatch({ type: "remove", where: (r) => r.view === "post" && r.params.post.id === post.id });
      status.show("success", "Post deleted");
    } catch (error) {
      done();
      showError(describeError(error));
    }
  };

  /** Commands from the views that lead somewhere else. */
  const run = (command: CommandId, post?: Post, user: User | null = null): void => {
    switch (command) {
      case "compose":
        dispatch({ type: "open", overlay: { overlay: "compose" } });
        return;
      case "own-profile":
        if (me && !(route.view === "profile" && isOwnProfile(route.params, me))) dispatch({ type: "push", route: { view: "profile", params: { userRef: me.id } } });
        return;
      case "open-author":
        if (post) dispatch({ type: "push", route: { view: "profile", params: { userRef: post.author_id } } });
        return;
      case "view-post":
        if (post) dispatch({ type: "push", route: { view: "post", params: { post: post.author || !user ? post : { ...post, author: user } } } });
        return;
      case "delete-post":
        if (!post) return;
        if (post.author_id !== me?.id) {
          status.show("error", "You can only delete your own posts");
          return;
        }
        dispatch({ type: "open", overlay: { overlay: "confirm", params: { action: "delete-post", post, prompt: "Delete this post? y/n", declined: "Kept" } } });
        return;
      case "edit-profile":
        if (user) {
          session.setMeUser(user);
          dispatch({ type: "open", overlay: { overlay: "edit-profile" } });
        }
        return;
      case "back":
        dispatch({ type: "back" });
        return;
      case "logout":
        if (me) dispatch({ type: "open", overlay: { overlay: "confirm", params: { action: "logout", prompt: `Log out of @${me.username}? y/n`, declined: "Still logged in" } } });
        return;
      default:
        return;
    }
  };

  // Ctrl+L redraws whatever has focus, as in every terminal program (a field never takes it).
  useKeyHandler(LAYER.always, (event) => {
    if (commandFor(event, ["global"]) !== "redraw") return false;
    write(CLEAR_SCREEN);
    setRedraws((n) => n + 1); // a render after the clear, wherever Ink's own repaint stops short
    return true;
  });

  // Global keys: only reached when no view or overlay took the key.
  useKeyHandler(LAYER.global, (event) => {
    switch (commandFor(event, ["global"])) {
      case "quit":
        quit();
        return true;
      case "help":
        dispatch({ type: "open", overlay: { overlay: "help" } });
        return true;
      default:
        return false;
    }
  });

  // A question sits on the overlay layer: y does it, anything else keeps things as they are.
  useKeyHandler(
    LAYER.overlay,
    (event) => {
      const question = confirm!;
      dispatch({ type: "close", overlay: "confirm" });
      if (commandFor(event, ["confirm"]) !== "confirm-yes") status.show("info", question.declined);
      else if (question.action === "delete-post") void deletePost(question.post);
      else void session.logOut();
      return true;
    },
    topOverlay(nav)?.overlay === "confirm",
  );

  const { title, scopes } = describeScreen(session.state, nav, authMode);
  const typing = scopes.includes("text-field");

  // While the terminal is too small no command acts unseen (Ctrl+C still quits), but what is
  // typed into a field goes in: nothing typed is lost.
  useKeyHandler(
    LAYER.screen,
    (event) => {
      if (help) return true; // its keys (? and q among them) would act unseen
      if (typing) return !typesText(event);
      if (commandFor(event, ["global"]) === "quit") quit();
      return true;
    },
    tooSmall,
  );

  const openHelp = (): void => dispatch({ type: "open", overlay: { overlay: "help" } });
  const viewsActive = nav.overlays.length === 0;
  const dim = nav.overlays.some((o) => o.overlay !== "confirm");

  let body: ReactNode;
  if (session.state.state === "checking") {
    body = (
      <Box height={contentHeight} paddingLeft={2}>
        <Text>{theme.paint("dim", "Loading…")}</Text>
      </Box>
    );
  } else if (!me) {
    body = (
      <LoginView
        width={columns}
        height={contentHeight}
        status={status}
        active={!help}
        onHelp={openHelp}
        onModeChange={setAuthMode}
        onLoggedIn={(user) => {
          setAuthMode("login");
          session.loggedIn(user);
        }}
      />
    );
  } else {
    const app: ViewContext = { me, status, showError, timeline, savedProfile, deletedPostId, run, open: (next) => dispatch({ type: "push", route: next }) };
    const frame = { width: columns, height: contentHeight, maxCardHeight: contentHeight - 2, dim, active: viewsActive };
    body = <CurrentView route={route} depth={nav.stack.length} dispatch={dispatch} frame={frame} app={app} />;
  }

  /** What both edit boxes get: where they sit, the status line, help, closing. */
  const overlayFrame = (kind: Overlay["overlay"]) => ({
    areaWidth: columns,
    areaHeight: contentHeight,
    status,
    active: topOverlay(nav)?.overlay === kind,
    onHelp: openHelp,
    onClose: () => dispatch({ type: "close", overlay: kind }),
  });
  const overlays = nav.overlays.map((overlay): ReactNode => {
    switch (overlay.overlay) {
      case "compose":
        return me ? (
          <ComposeOverlay
            key="compose"
            userId={me.id}
            {...overlayFrame("compose")}
            onPublished={(post, draftKept) => {
              dispatch({ type: "reset", route: HOME });
              timeline.prepend(post);
              void timeline.refresh(post.id);
              status.show("success", draftKept ? "Posted — what you typed meanwhile is a draft: n opens it" : "Posted");
            }}
          />
        ) : null;
      case "edit-profile":
        return session.meUser ? (
          <EditProfileOverlay
            key="edit-profile"
            user={session.meUser}
            {...overlayFrame("edit-profile")}
            onSaved={(user) => {
              session.setMeUser(user);
              setSavedProfile({ user, at: Date.now() });
              dispatch({ type: "close", overlay: "edit-profile" });
              status.show("success", "Profile saved");
            }}
          />
        ) : null;
      case "help":
        return <HelpOverlay key="help" scopes={scopes} viewName={title} areaWidth={columns} areaHeight={contentHeight} onClose={() => dispatch({ type: "close", overlay: "help" })} />;
      case "confirm":
        return null; // asked in the status line
    }
  });

  return (
    <Layout
      terminal={terminal}
      username={session.state.state === "checking" ? session.storedUsername : (me?.username ?? null)}
      title={title}
      body={body}
      overlays={overlays}
      message={status.message}
      hints={hintsFor(typing ? scopes : [...scopes, "global"], columns - 2)}
      prompt={confirm?.prompt ?? null}
    />
  );
}

/** The route's view, from the views table. */
function CurrentView(props: {
  route: Route;
  depth: number;
  dispatch: (action: NavAction<Route, Overlay>) => void;
  frame: { width: number; height: number; maxCardHeight: number; dim: boolean; active: boolean };
  app: ViewContext;
}): ReactNode {
  const { route, dispatch } = props;
  // The table's component for this route's view; TypeScript cannot pair the two unions.
  const View = viewSpec(route).component;
  return (
    <View
      key={`${props.depth}:${route.view}`}
      params={route.params as never}
      setParams={(next: unknown) => dispatch({ type: "replace", route, next: { ...route, params: next } as Route })}
      {...props.frame}
      app={props.app}
    />
  );
}
