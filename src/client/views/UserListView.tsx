// Followers or following of a user: one line per user, paged; Enter opens a profile.
import { useCallback, useEffect, useState, type ReactNode } from "react";
import type { User } from "../../api/index.js";
import { describeError } from "../api-errors.js";
import { useServices } from "../app/services.js";
import type { ViewProps } from "../app/view-types.js";
import { LineList, moveTarget, usePageState } from "../components/LineList.js";
import type { Line } from "../list/card-layout.js";
import { commandFor } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";

export interface UserListParams {
  userId: string;
  username: string;
  which: "followers" | "following";
}

export function userListTitle(params: UserListParams): string {
  return `${params.which === "followers" ? "Followers of" : "Followed by"} @${params.username}`;
}

/** A user's line: `▸ @bob  Bob Smith` (the display name only when it differs). */
function userLine(user: User, selected: boolean): Line {
  return [
    selected ? { text: "▸ ", token: "selected" } : { text: "  " },
    { text: `@${user.username}`, token: "username" },
    ...(user.display_name !== user.username ? [{ text: `  ${user.display_name}`, token: "title" as const }] : []),
  ];
}

/** Start loading the next page this many users before the end. */
const PREFETCH = 5;

export function UserListScreen(props: ViewProps<UserListParams>): ReactNode {
  const { api } = useServices();
  const { userId, which } = props.params;
  const { app } = props;
  const [users, setUsers] = useState<User[]>([]);
  const [selected, setSelected] = useState(0);
  const { page, setPage, pageRef } = usePageState();

  const load = useCallback(async () => {
    const now = pageRef.current;
    if (now.loading || (!now.more && now.loaded)) return;
    pageRef.current = { ...now, loading: true };
    setPage(pageRef.current);
    try {
      const answer = await api.followList(userId, which, now.cursor);
      setUsers((list) => {
        const seen = new Set(list.map((u) => u.id));
        return [...list, ...answer.users.filter((u) => !seen.has(u.id))];
      });
      setPage({ cursor: answer.next_cursor, more: answer.has_more, loaded: true, loading: false });
    } catch (error) {
      setPage({ ...now, loaded: true, loading: false, more: false });
      app.showError(describeError(error));
    }
  }, [api, userId, which, app, pageRef, setPage]);

  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const select = (index: number): void => {
    const next = Math.max(0, Math.min(index, users.length - 1));
    setSelected(next);
    if (index >= users.length - PREFETCH) void load();
  };

  useKeyHandler(
    LAYER.view,
    (event) => {
      const command = commandFor(event, ["users"]);
      const target = command === null ? null : moveTarget(command, selected, users.length);
      if (target !== null) {
        select(target);
        return true;
      }
      switch (command) {
        case null:
          return false;
        case "open-user": {
          const user = users[selected];
          if (user) app.open({ view: "profile", params: { userRef: user.id } });
          return true;
        }
        default:
          app.run(command);
          return true;
      }
    },
    props.active,
  );

  return (
    <LineList
      items={users}
      selected={selected}
      loaded={page.loaded}
      empty={which === "followers" ? "No followers yet." : "Follows no one yet."}
      lineOf={userLine}
      width={props.width}
      height={props.height}
      dim={props.dim}
    />
  );
}
