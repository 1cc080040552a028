// The application shell: header, the current view, the status line, overlays, and the
// routing between views. Views own their keys; this file owns what connects them.
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { Box, Text, useApp } from "ink";
import type { Post, User } from "../../api/index.js";
import { ApiError, describeError, SESSION_EXPIRED_MESSAGE } from "../api-errors.js";
import { readTokenClaims } from "../config/session-store.js";
import { ComposeOverlay } from "../components/ComposeOverlay.js";
import { EditProfileOverlay } from "../components/EditProfileOverlay.js";
import { Header } from "../components/Header.js";
import { HelpOverlay } from "../components/HelpOverlay.js";
import { StatusLine } from "../components/StatusLine.js";
import { MIN_COLUMNS, MIN_ROWS, TooSmall } from "../components/TooSmall.js";
import { commandFor, hintsFor, typesText, type CommandId, type Scope } from "../keys/bindings.js";
import { KeyRouterProvider, LAYER, useKeyHandler } from "../keys/key-router.js";
import { usePostFeed } from "../state/use-post-feed.js";
import { LoginView, type AuthMode } from "../views/LoginView.js";
import { PostView } from "../views/PostView.js";
import { ProfileView, type ProfilePlace } from "../views/ProfileView.js";
import { TimelineView } from "../views/TimelineView.js";
import { useServices } from "./services.js";
import { useStatus, type StatusApi } from "./status.js";
import { useTerminalSize } from "./terminal-size.js";

type Route =
  | { kind: "timeline" }
  /** left: where the profile was when a view opened from it covered it. */
  | { kind: "profile"; userRef: string; left?: ProfilePlace }
  | { kind: "post"; post: Post };
type Overlay = "compose" | "edit-profile" | null;
interface Me {
  id: string;
  username: string;
}
type Auth = { state: "checking" } | { state: "anon" } | { state: "in"; me: Me };

const VIEW_NAMES = { timeline: "Timeline", profile: "Profile", post: "Post", login: "Log in", signup: "Sign up" } as const;

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
  const terminal = useTerminalSize();
  // Below the minimum the app stays mounted, hidden, at the minimum size: a draft's cursor, a
  // half-typed log-in or profile edit and the scroll position are all there after the resize.
  const tooSmall = terminal.columns < MIN_COLUMNS || terminal.rows < MIN_ROWS;
  const columns = Math.max(terminal.columns, MIN_COLUMNS);
  const rows = Math.max(terminal.rows, MIN_ROWS);
  const [auth, setAuth] = useState<Auth>(() => (api.isLoggedIn ? { state: "checking" } : { state: "anon" }));
  const [meUser, setMeUser] = useState<User | null>(null);
  /** The profile as the edit box last saved it (ProfileView shows it over an older fetch). */
  const [savedProfile, setSavedProfile] = useState<{ user: User; at: number } | null>(null);
  const [stack, setStack] = useState<Route[]>([{ kind: "timeline" }]);
  const [overlay, setOverlay] = useState<Overlay>(null);
  const [help, setHelp] = useState(false);
  /** Which form the log-in screen shows, for the header. */
  const [authMode, setAuthMode] = useState<AuthMode>("login");
  const [confirmDelete, setConfirmDelete] = useState<Post | null>(null);
  const [deletedPostId, setDeletedPostId] = useState<string | null>(null);

  const showError = useCallback((message: string) => status.show("error", message), [status.show]);
  const fetchTimeline = useCallback((cursor: string | null) => api.timeline(cursor), [api]);
  const timeline = usePostFeed(fetchTimeline, showError);

  const enter = useCallback(
    (me: Me) => {
      setAuth({ state: "in", me });
      setStack([{ kind: "timeline" }]);
      void timeline.refresh();
    },
    [timeline.refresh],
  );

  /** The stored session's claims: its user shows in the header while it is checked. */
  const [claims] = useState(() => readTokenClaims(api.accessToken ?? ""));
  // Start-up with a stored session: straight to the timeline (refreshing silently if needed).
  useEffect(() => {
    if (auth.state !== "checking") return;
    api.me().then(
      (user) => {
        setMeUser(user);
        enter({ id: user.id, username: user.username });
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.kind === "session_expired") return; // listener below
        // Offline or server trouble: keep the session, show what failed.
        if (claims.sub && claims.username) enter({ id: claims.sub, username: claims.username });
        else setAuth({ state: "anon" });
        showError(describeError(error));
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  /** Logged out or expired: back to the log-in form, and the next account starts afresh. */
  const endSession = useCallback(() => {
    setAuth({ state: "anon" });
    setMeUser(null);
    setOverlay(null);
    setConfirmDelete(null);
    setStack([{ kind: "timeline" }]);
    timeline.reset(); // at its newest post, not where this one had scrolled to
  }, [timeline.reset]);

  useEffect(
    () =>
      api.onSessionExpired(() => {
        endSession();
        status.show("error", SESSION_EXPIRED_MESSAGE);
      }),
    [api, status.show, endSession],
  );

  const route = stack[stack.length - 1]!;
  const me = auth.state === "in" ? auth.me : null;
  const back = (): void => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s));
  const push = (next: Route): void => setStack((s) => [...s, next]);

  const logout = async (): Promise<void> => {
    const done = status.progress("Logging out…");
    let revoked = true;
    try {
      await api.logout();
    } catch {
      revoked = false; // forgotten here all the same; say that the server may still honour it
    }
    done();
    endSession();
    if (revoked) status.show("success", "Logged out");
    else status.show("error", "Logged out here — the server did not confirm ending the session");
  };

  const deletePost = async (post: Post): Promise<void> => {
    const done = status.progress("Deleting…");
    try {
      await api.deletePost(post.id);
      done();
      timeline.remove(post.id);
      setDeletedPostId(post.id);
      if (route.kind === "post" && route.post.id === post.id) back();
      status.show("success", "Post deleted");
    } catch (error) {
      done();
      showError(describeError(error));
    }
  };

  /** Commands from the views that lead somewhere else. */
  const run = (command: CommandId, post: Post | undefined, user: User | null = null): void => {
    switch (command) {
      case "compose":
        setOverlay("compose");
        return;
      case "own-profile":
        if (me && !(route.kind === "profile" && (route.userRef === me.id || route.userRef === "me"))) {
          push({ kind: "profile", userRef: me.id });
        }
        return;
      case "open-author":
        if (post) push({ kind: "profile", userRef: post.author_id });
        return;
      case "view-post":
        if (post) push({ kind: "post", post: post.author || !user ? post : { ...post, author: user } });
        return;
      case "delete-post":
        if (!post) return;
        if (post.author_id !== me?.id) {
          status.show("error", "You can only delete your own posts");
          return;
        }
        setConfirmDelete(post);
        return;
      case "edit-profile":
        if (user) {
          setMeUser(user);
          setOverlay("edit-profile");
        }
        return;
      case "back":
        back();
        return;
      case "logout":
        void logout();
        return;
      default:
        return;
    }
  };

  // Global keys: only reached when no view or overlay took the key.
  useKeyHandler(LAYER.global, (event) => {
    switch (commandFor(event, ["global"])) {
      case "quit":
        quit();
        return true;
      case "help":
        setHelp(true);
        return true;
      default:
        return false;
    }
  });

  // The delete prompt sits on the overlay layer: y deletes, anything else keeps the post.
  useKeyHandler(
    LAYER.overlay,
    (event) => {
      const post = confirmDelete!;
      setConfirmDelete(null);
      if (commandFor(event, ["confirm"]) === "confirm-yes") void deletePost(post);
      else status.show("info", "Kept");
      return true;
    },
    confirmDelete !== null,
  );

  const contentHeight = rows - 2;
  const geometry = { width: columns, height: contentHeight, maxCardHeight: contentHeight - 2 };
  const loggedIn = auth.state === "in";
  // While the stored session is checked only the global keys work (and are all the hints say).
  const scopes: Scope[] =
    auth.state === "checking"
      ? []
      : !loggedIn
        ? ["login", "text-field"]
        : overlay === "compose"
          ? ["compose", "text-field"]
          : overlay === "edit-profile"
            ? ["edit-profile", "text-field"]
            : route.kind === "profile"
              ? [me && (route.userRef === me.id || route.userRef === "me") ? "own-profile" : "profile"]
              : [route.kind];
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
  const viewName =
    auth.state === "checking"
      ? VIEW_NAMES.timeline
      : !loggedIn
        ? VIEW_NAMES[authMode]
        : overlay === "compose"
          ? "New post"
          : VIEW_NAMES[route.kind];
  const viewsActive = !help && overlay === null && confirmDelete === null;
  const dim = overlay !== null || help;
  const openHelp = (): void => setHelp(true);
  /** What both edit boxes get: where they sit, the status line, help, closing. */
  const overlayFrame = {
    areaWidth: columns,
    areaHeight: contentHeight,
    status,
    active: !help,
    onHelp: openHelp,
    onClose: () => setOverlay(null),
  };

  let body: ReactNode;
  if (auth.state === "checking") body = <Box height={contentHeight} paddingLeft={2}><Text>{theme.paint("dim", "Loading…")}</Text></Box>;
  else if (!loggedIn || !me) {
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
          setMeUser(user);
          enter({ id: user.id, username: user.username });
          status.show("success", `Welcome, @${user.username}`);
        }}
      />
    );
  } else if (route.kind === "timeline") {
    body = <TimelineView feed={timeline} geometry={geometry} dim={dim} active={viewsActive} onProgress={status.progress} onCommand={run} />;
  } else if (route.kind === "profile") {
    body = (
      <ProfileView
        key={`${stack.length}:${route.userRef}`}
        userRef={route.userRef}
        resume={route.left}
        onLeave={(place) => {
          const left = route;
          // Kept only while the profile is still in the stack (not when Esc closed it).
          setStack((s) => s.map((r) => (r === left ? { ...left, left: place } : r)));
        }}
        isOwn={(user) => user.id === me.id}
        override={savedProfile}
        deletedPostId={deletedPostId}
        width={columns}
        height={contentHeight}
        maxCardHeight={geometry.maxCardHeight}
        dim={dim}
        active={viewsActive}
        onError={showError}
        onProgress={status.progress}
        onCommand={run}
      />
    );
  } else {
    body = (
      <PostView
        post={route.post}
        username={route.post.author?.username ?? ""}
        width={columns}
        height={contentHeight}
        dim={dim}
        active={viewsActive}
        onCommand={(command, post) => run(command, post)}
      />
    );
  }

  // One tree whatever the size, so nothing remounts when the terminal shrinks.
  return (
    <>
      {tooSmall ? <TooSmall columns={terminal.columns} rows={terminal.rows} /> : null}
      <Box display={tooSmall ? "none" : "flex"} flexDirection="column" width={columns} height={rows}>
        <Header username={auth.state === "checking" ? (claims.username ?? null) : (me?.username ?? null)} view={viewName} width={columns} />
        <Box height={contentHeight} flexDirection="column">
          {body}
          {loggedIn && me && overlay === "compose" ? (
            <ComposeOverlay
              userId={me.id}
              {...overlayFrame}
              onPublished={(post, draftKept) => {
                setOverlay(null);
                setStack([{ kind: "timeline" }]);
                timeline.prepend(post);
                void timeline.refresh(post.id);
                status.show("success", draftKept ? "Posted — what you typed meanwhile is a draft: n opens it" : "Posted");
              }}
            />
          ) : null}
          {loggedIn && overlay === "edit-profile" && meUser ? (
            <EditProfileOverlay
              user={meUser}
              {...overlayFrame}
              onSaved={(user) => {
                setMeUser(user);
                setSavedProfile({ user, at: Date.now() });
                setOverlay(null);
                status.show("success", "Profile saved");
              }}
            />
          ) : null}
          {help ? (
            <HelpOverlay scopes={scopes} viewName={viewName} areaWidth={columns} areaHeight={contentHeight} onClose={() => setHelp(false)} />
          ) : null}
        </Box>
        <StatusLine
          width={columns}
          message={status.message}
          hints={hintsFor(typing ? scopes : [...scopes, "global"], columns - 2)}
          prompt={confirmDelete ? "Delete this post? y/n" : null}
        />
      </Box>
    </>
  );
}
