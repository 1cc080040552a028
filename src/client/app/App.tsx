// The application shell: wires the session (use-session), the navigation model (navigation,
// over the views table in views.ts) and the commands that lead from one view to another,
// and hands the layout (Layout) what to draw. A new view is not an edit of this file.
import { useCallback, useReducer, useRef, useState, type ReactNode } from "react";
import { Box, Text, useApp, useStdout } from "ink";
import type { User } from "../../api/index.js";
import type { ApiClient } from "../api-client.js";
import { describeError } from "../api-errors.js";
import { commandFor, hintsFor, typesText, type CommandId } from "../keys/bindings.js";
import { KeyRouterProvider, LAYER, useKeyHandler } from "../keys/key-router.js";
import { usePostFeed } from "../state/use-post-feed.js";
import { PatchedProvider, usePostPatches } from "../state/post-patches.js";
import type { Notification, SocialPost, SocialUser } from "../social.js";
import { overlaySpec, type OverlayContext } from "./overlays.js";
import { LoginView, type AuthMode } from "../views/LoginView.js";
import { isOwnProfile } from "../views/ProfileView.js";
import { contentSize, isTooSmall, Layout } from "./Layout.js";
import { currentRoute, findOverlay, initialNav, navigate, topOverlay, type NavAction } from "./navigation.js";
import { useServices } from "./services.js";
import { useStatus, type StatusApi } from "./status.js";
import { useTerminalSize } from "./terminal-size.js";
import { describeScreen, type Nav } from "./screen.js";
import { useSession } from "./use-session.js";
import type { LiveEvent } from "../live/live-stream.js";
import { PAUSED_MESSAGE, useLive } from "../live/use-live.js";
import type { ViewContext } from "./view-types.js";
import { HOME, timelineRoute, viewSpec, type Overlay, type Route } from "./views.js";

/** The two toggles on a post: its flag and count, the call, what the status line says. */
const TOGGLES = {
  like: { flag: "liked", count: "like_count", send: (api: ApiClient, id: string, on: boolean) => api.setLiked(id, on), done: null },
  repost: {
    flag: "reposted",
    count: "repost_count",
    send: (api: ApiClient, id: string, on: boolean) => api.setReposted(id, on),
    done: (on: boolean) => (on ? "Reposted" : "Repost undone"),
  },
} as const;

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
  // Stamped when saved, so the profile view knows whether a fetch is newer than the edit.
  const profileSaved = useCallback((user: User) => setSavedProfile({ user, at: Date.now() }), []);
  const [deletedPostId, setDeletedPostId] = useState<string | null>(null);
  /** Which form the log-in screen shows, for the header. */
  const [authMode, setAuthMode] = useState<AuthMode>("login");

  const { show } = status; // a stable callback, unlike the status object
  const showError = useCallback((message: string) => show("error", message), [show]);
  const fetchGlobal = useCallback((cursor: string | null) => api.timeline(cursor), [api]);
  const fetchHome = useCallback((cursor: string | null) => api.homeTimeline(cursor), [api]);
  const global = usePostFeed(fetchGlobal, showError);
  const home = usePostFeed(fetchHome, showError);
  const feeds = { home, global };
  const patches = usePostPatches();
  const [lastReply, setLastReply] = useState<SocialPost | null>(null);
  const [unread, setUnread] = useState(0);
  const [notificationArrived, setNotificationArrived] = useState<Notification | null>(null);
  /**
   * The header's count, as the server has it (one notification is enough to get it). Asked
   * again on every notification event rather than counted up, so an event that the first
   * answer already counted is never counted twice; one request at a time, the last wins.
   */
  const unreadAsk = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });
  const loadUnread = useCallback(() => {
    // A named inner function, as the asking again calls it before loadUnread is declared.
    const ask = (): void => {
      const state = unreadAsk.current;
      if (state.busy) {
        state.again = true;
        return;
      }
      state.busy = true;
      const done = (): void => {
        state.busy = false;
        if (state.again) {
          state.again = false;
          ask();
        }
      };
      api.notifications(null, 1).then(
        (answer) => {
          if (!state.again) setUnread(answer.unread_count ?? 0);
          done();
        },
        done, // a server without notifications: no count, nothing to say
      );
    };
    ask();
  }, [api]);
  /** Home is reloaded when it next shows: never loaded yet, or a follow changed it. */
  const homeStale = useRef(true);
  const homeChanged = useCallback(() => {
    homeStale.current = true;
  }, []);
  const { removeAuthor: removeFromHome } = home;
  const { removeAuthor: removeFromGlobal } = global;
  const authorHidden = useCallback(
    (userId: string) => {
      removeFromHome(userId);
      removeFromGlobal(userId);
    },
    [removeFromHome, removeFromGlobal],
  );
  const timelineShown = useCallback(
    (which: "home" | "global") => {
      if (which !== "home" || !homeStale.current) return;
      homeStale.current = false;
      void home.refresh();
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [home.refresh],
  );

  const session = useSession({
    status,
    // Home for someone who follows anyone, else Global (a v1 server, without counts: Global).
    onEnter: (user: SocialUser | null) => {
      const start = (user?.following_count ?? 0) > 0 ? "home" : "global";
      homeStale.current = true;
      dispatch({ type: "reset", route: timelineRoute(start) });
      void global.refresh();
      loadUnread();
    },
    onEnd: () => {
      dispatch({ type: "reset", route: HOME });
      // At their newest posts, not where the old account had scrolled to.
      global.reset();
      home.reset();
      homeStale.current = true;
      setUnread(0);
    },
  });
  const { me } = session;
  const route = currentRoute(nav);
  const help = findOverlay(nav, "help") !== undefined;

  // The stream follows the timeline last shown; the notification count follows it whatever.
  const [liveTimeline, setLiveTimeline] = useState<"home" | "global">("global");
  // React renders again at once with the new timeline, before anything is shown or connected.
  if (route.view === "timeline" && route.params.which !== liveTimeline) setLiveTimeline(route.params.which);
  const onLive = (event: LiveEvent): void => {
    const feed = feeds[liveTimeline];
    switch (event.type) {
      case "post":
        feed.offer(event.post);
        return;
      case "delete":
        if (event.repostBy) {
          home.removeRepost(event.id, event.repostBy);
          global.removeRepost(event.id, event.repostBy);
        } else {
          home.remove(event.id);
          global.remove(event.id);
          setDeletedPostId(event.id);
        }
        return;
      case "notification":
        if (route.view === "notifications") setNotificationArrived(event.notification);
        else loadUnread();
        return;
      case "reset":
        // Fetched in the background and offered through the bar: nothing moves meanwhile.
        (liveTimeline === "home" ? api.homeTimeline(null) : api.timeline(null)).then(
          (page) => feed.offerPage(page),
          () => undefined, // r still works; the next event or reset tries again
        );
        return;
      default:
        return;
    }
  };
  const livePaused = useLive({ api, enabled: me !== null, timeline: liveTimeline, onEvent: onLive });
  const confirm = findOverlay(nav, "confirm")?.params ?? null;

  const deletePost = async (post: SocialPost): Promise<void> => {
    const done = status.progress("Deleting…");
    try {
      await api.deletePost(post.id);
      done();
      home.remove(post.id);
      global.remove(post.id);
      setDeletedPostId(post.id);
      dispatch({ type: "remove", where: (r) => r.view === "thread" && r.params.post.id === post.id });
      status.show("success", "Post deleted");
    } catch (error) {
      done();
      showError(describeError(error));
    }
  };

  /**
   * Like / repost: shown at once, then set to what the server answered, or put back as it
   * was with the server's reason if it refuses.
   */
  const toggle = async (post: SocialPost, what: "like" | "repost"): Promise<void> => {
    const { flag, count, send, done } = TOGGLES[what];
    const before = patches.get(post.id);
    const shown = patches.patched(post);
    // On its way again: the patch is the user's word over any fetch until the server answers.
    const { settledAt: _settled, ...pending } = before ?? {};
    const on = !shown[flag];
    patches.set(post.id, { ...pending, [flag]: on, [count]: Math.max(0, (shown[count] ?? 0) + (on ? 1 : -1)) });
    try {
      const answer = await send(api, post.id, on);
      const counted = answer[count] !== undefined ? { [count]: answer[count] } : {};
      patches.settle(post.id, { ...patches.get(post.id), [flag]: answer[flag] ?? on, ...counted });
      if (done) status.show("success", done(on));
    } catch (error) {
      patches.set(post.id, before);
      showError(describeError(error));
    }
  };

  /** Commands from the views that lead somewhere else. */
  const run = (command: CommandId, selected?: SocialPost, user: User | null = null): void => {
    // Posts on a profile come without their author: the profile's user is it.
    const post = selected && !selected.author && user ? { ...selected, author: user } : selected;
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
        if (post) dispatch({ type: "push", route: { view: "thread", params: { post } } });
        return;
      case "like":
      case "repost":
        if (post) void toggle(post, command);
        return;
      case "reply":
        if (post) dispatch({ type: "open", overlay: { overlay: "reply", params: { post } } });
        return;
      case "tab-home":
      case "tab-global":
        dispatch({ type: "reset", route: timelineRoute(command === "tab-home" ? "home" : "global") });
        return;
      case "search":
        dispatch({ type: "open", overlay: { overlay: "search" } });
        return;
      case "tab-notifications":
        dispatch({ type: "reset", route: { view: "notifications", params: {} } });
        return;
      case "report-post":
        if (post) dispatch({ type: "open", overlay: { overlay: "report", params: { post_id: post.id, label: `@${post.author?.username ?? "unknown"}'s post` } } });
        return;
      case "report-user":
        if (user) dispatch({ type: "open", overlay: { overlay: "report", params: { user_id: user.id, label: `@${user.username}` } } });
        return;
      case "delete-post": {
        if (!post) return;
        if (post.author_id !== me?.id) {
          status.show("error", "You can only delete your own posts");
          return;
        }
        // On a repost entry of your post, d deletes the original: the question says so.
        const prompt = post.repost ? "Delete your original post (not just this repost)? y/n" : "Delete this post? y/n";
        dispatch({ type: "open", overlay: { overlay: "confirm", params: { action: "delete-post", post, prompt, declined: "Kept" } } });
        return;
      }
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
      else if (question.action === "callback") question.yes();
      else void session.logOut();
      return true;
    },
    topOverlay(nav)?.overlay === "confirm",
  );

  const { title, scopes, tab } = describeScreen(session.state, nav, authMode);
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
    const app: ViewContext = {
      me,
      status,
      showError,
      feeds,
      timelineShown,
      patched: patches.patched,
      lastReply,
      homeChanged,
      authorHidden,
      savedProfile,
      deletedPostId,
      setUnread,
      notificationArrived,
      run,
      open: (next) => dispatch({ type: "push", route: next }),
      confirm: (prompt, declined, yes) => dispatch({ type: "open", overlay: { overlay: "confirm", params: { action: "callback", prompt, declined, yes } } }),
    };
    const frame = { width: columns, height: contentHeight, maxCardHeight: contentHeight - 2, dim, active: viewsActive };
    body = (
      <PatchedProvider patched={patches.patched}>
        <CurrentView route={route} depth={nav.stack.length} dispatch={dispatch} frame={frame} app={app} />
      </PatchedProvider>
    );
  }

  const overlayContext: OverlayContext = {
    me,
    meUser: session.meUser,
    areaWidth: columns,
    areaHeight: contentHeight,
    status,
    scopes,
    title,
    active: (kind) => topOverlay(nav)?.overlay === kind,
    close: (kind) => dispatch({ type: "close", overlay: kind }),
    openHelp,
    published: (post, draftKept, replyTo) => {
      const kept = draftKept ? " — what you typed meanwhile is a draft: n opens it" : "";
      if (replyTo) {
        // A reply: the conversation stays where it is; its parent counts one more reply.
        dispatch({ type: "close", overlay: "reply" });
        const shown = patches.patched(replyTo);
        patches.settle(replyTo.id, { ...patches.get(replyTo.id), reply_count: (shown.reply_count ?? 0) + 1 });
        setLastReply(post);
        status.show("success", `Replied${kept}`);
        return;
      }
      const which = route.view === "timeline" ? route.params.which : "global";
      dispatch({ type: "reset", route: timelineRoute(which) });
      feeds[which].prepend(post);
      void feeds[which].refresh(post.id);
      if (which === "global") homeChanged();
      status.show("success", draftKept ? `Posted${kept}` : "Posted");
    },
    openFrom: (kind, next) => {
      dispatch({ type: "close", overlay: kind });
      dispatch({ type: "push", route: next });
    },
    profileSaved: (user) => {
      session.setMeUser(user);
      profileSaved(user);
      dispatch({ type: "close", overlay: "edit-profile" });
      status.show("success", "Profile saved");
    },
  };
  // A component of its own, so the context's handlers reach the overlays as props (called on
  // events, after render) rather than through a function called while App renders.
  const overlays = [<OverlayStack key="overlays" overlays={nav.overlays} context={overlayContext} />];

  return (
    <Layout
      terminal={terminal}
      username={session.state.state === "checking" ? session.storedUsername : (me?.username ?? null)}
      title={title}
      tab={me ? tab : undefined}
      unread={me ? unread : 0}
      body={body}
      overlays={overlays}
      message={status.message ?? (livePaused && me ? { kind: "info", text: PAUSED_MESSAGE } : null)}
      hints={hintsFor(typing ? scopes : [...scopes, "global"], columns - 2)}
      prompt={confirm?.prompt ?? null}
    />
  );
}

/** The route's view, from the views table. */
/** The open overlays, bottom first: each one's element, keyed by its spec. */
function OverlayStack(props: { overlays: readonly Overlay[]; context: OverlayContext }): ReactNode {
  return props.overlays.map((overlay): ReactNode => overlaySpec(overlay).render(overlay, props.context));
}

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
