// The session's state machine: checking a stored session at start-up, anonymous, or signed
// in; logging in and out; and the server ending it (expiry) at any moment.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { User } from "../../api/index.js";
import { ApiError, describeError, SESSION_EXPIRED_MESSAGE } from "../api-errors.js";
import { readTokenClaims } from "../config/session-store.js";
import { useServices } from "./services.js";
import type { StatusApi } from "./status.js";
import type { Me } from "./view-types.js";

export type SessionState = { state: "checking" } | { state: "anon" } | { state: "in"; me: Me };

export interface Session {
  state: SessionState;
  /** Signed in, this is who. */
  me: Me | null;
  /** The signed-in user's profile as last fetched or saved (for the edit box). */
  meUser: User | null;
  setMeUser: (user: User) => void;
  /** Who the stored session says it is, for the header while it is checked. */
  storedUsername: string | null;
  /** The log-in form succeeded. */
  loggedIn: (user: User) => void;
  /** Revokes the session on the server (when it answers) and forgets it here. */
  logOut: () => Promise<void>;
}

export function useSession(opts: {
  status: StatusApi;
  /** Signed in (at start-up or by the form): the app starts afresh for this account. */
  /** Signed in; the user when the server said who (absent when only the stored token did). */
  onEnter: (user: User | null) => void;
  /** Logged out or expired: nothing of the old account may stay on screen. */
  onEnd: () => void;
}): Session {
  const { api } = useServices();
  // show and progress are stable callbacks; the status object around them is not.
  const { show, progress } = opts.status;
  const [state, setState] = useState<SessionState>(() => (api.isLoggedIn ? { state: "checking" } : { state: "anon" }));
  const [meUser, setMeUser] = useState<User | null>(null);
  const [claims] = useState(() => readTokenClaims(api.accessToken ?? ""));
  const callbacks = useRef(opts);
  // The latest onEnter/onEnd, for enter and end, which stay the same functions.
  useLayoutEffect(() => {
    callbacks.current = opts;
  });

  const enter = useCallback((me: Me, user: User | null) => {
    setState({ state: "in", me });
    callbacks.current.onEnter(user);
  }, []);

  const end = useCallback(() => {
    setState({ state: "anon" });
    setMeUser(null);
    callbacks.current.onEnd();
  }, []);

  // Start-up with a stored session: straight in (refreshing silently if needed).
  useEffect(() => {
    if (state.state !== "checking") return;
    api.me().then(
      (user) => {
        setMeUser(user);
        enter({ id: user.id, username: user.username }, user);
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.kind === "session_expired") return; // the listener below
        // Offline or server trouble: keep the session, show what failed.
        if (claims.sub && claims.username) enter({ id: claims.sub, username: claims.username }, null);
        else setState({ state: "anon" });
        show("error", describeError(error));
      },
    );
    // Once, at start-up: later changes of state are the session's own doing.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- because this runs once, at start-up: a later "checking" never happens
  }, []);

  useEffect(
    () =>
      api.onSessionExpired(() => {
        end();
        show("error", SESSION_EXPIRED_MESSAGE);
      }),
    [api, show, end],
  );

  const loggedIn = useCallback(
    (user: User) => {
      setMeUser(user);
      enter({ id: user.id, username: user.username }, user);
      show("success", `Welcome, @${user.username}`);
    },
    [enter, show],
  );

  const logOut = useCallback(async () => {
    const done = progress("Logging out…");
    let revoked = true;
    try {
      await api.logout();
    } catch {
      revoked = false; // forgotten here all the same; say that the server may still honour it
    }
    done();
    end();
    if (revoked) show("success", "Logged out");
    else show("error", "Logged out here — the server did not confirm ending the session");
  }, [api, end, progress, show]);

  return {
    state,
    me: state.state === "in" ? state.me : null,
    meUser,
    setMeUser,
    storedUsername: claims.username ?? null,
    loggedIn,
    logOut,
  };
}
