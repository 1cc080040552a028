// Notifications (tui.md "Notifications"): one line each, newest first, unread marked `•`, a
// dim excerpt of the post; Enter opens the post's thread (a follow: the actor's profile).
// Opening the view marks what it shows as read at once, so the header's count goes.
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { describeError } from "../api-errors.js";
import { useServices } from "../app/services.js";
import type { ViewProps } from "../app/view-types.js";
import { LineList, moveTarget, usePageState } from "../components/LineList.js";
import { commandFor } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import type { Segment } from "../list/card-layout.js";
import type { Notification, NotificationType } from "../social.js";

/** Start loading the next page this many lines before the end. */
const PREFETCH = 5;

const WHAT: Record<NotificationType, { mark: string; text: string }> = {
  like: { mark: "♥", text: "liked your post" },
  repost: { mark: "♻", text: "reposted" },
  reply: { mark: "↩", text: "replied" },
  mention: { mark: "@", text: "mentioned you" },
  follow: { mark: "+", text: "followed you" },
};

/** A notification's line: `• ♥ @bob liked your post  the post's first words…`. */
export function notificationLine(n: Notification, selected: boolean): Segment[] {
  const what = WHAT[n.type] ?? { mark: "?", text: n.type };
  const excerpt = n.post ? n.post.content.replace(/\s+/g, " ").trim() : "";
  return [
    selected ? { text: "▸ ", token: "selected" } : { text: "  " },
    n.read ? { text: "  " } : { text: "• ", token: "accent" },
    { text: `${what.mark} ` },
    { text: `@${n.actor.username}`, token: "username" },
    { text: ` ${what.text}` },
    ...(excerpt ? [{ text: `  ${excerpt}`, token: "dim" as const }] : []),
  ];
}

export function NotificationsScreen(props: ViewProps<Record<string, never>>): ReactNode {
  const { api } = useServices();
  const { app } = props;
  const [items, setItems] = useState<Notification[]>([]);
  const [selected, setSelected] = useState(0);
  const { page, setPage, pageRef } = usePageState();

  /** Marks everything up to `newest` read, on the server and in the header, at once. */
  const markRead = useCallback(
    (newest: Notification | undefined, unreadAfter: number) => {
      if (!newest) return;
      app.setUnread(unreadAfter);
      api.markNotificationsRead(newest.id).catch((error: unknown) => app.showError(describeError(error)));
    },
    [api, app],
  );

  const load = useCallback(
    async (fresh: boolean) => {
      const now = pageRef.current;
      if (now.loading || (!fresh && !now.more && now.loaded)) return;
      pageRef.current = { ...now, loading: true };
      setPage(pageRef.current);
      try {
        const answer = await api.notifications(fresh ? null : now.cursor);
        if (fresh) {
          setItems(answer.notifications);
          setSelected(0);
          // What the page shows is read now; unread ones older than it still count.
          const shownUnread = answer.notifications.filter((n) => !n.read).length;
          markRead(answer.notifications[0], Math.max(0, answer.unread_count - shownUnread));
        } else {
          setItems((list) => {
            const seen = new Set(list.map((n) => n.id));
            return [...list, ...answer.notifications.filter((n) => !seen.has(n.id))];
          });
        }
        setPage({ cursor: answer.next_cursor, more: answer.has_more, loaded: true, loading: false });
      } catch (error) {
        setPage({ ...now, loaded: true, loading: false, more: false });
        app.showError(describeError(error));
      }
    },
    [api, app, markRead, pageRef, setPage],
  );

  useEffect(() => {
    void load(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A notification that arrives while the view is open is shown (and read) at once.
  const arrivedRef = useRef(app.notificationArrived);
  useEffect(() => {
    const arrived = app.notificationArrived;
    if (!arrived || arrived === arrivedRef.current) return;
    arrivedRef.current = arrived;
    setItems((list) => (list.some((n) => n.id === arrived.id) ? list : [arrived, ...list]));
    setSelected((s) => (s === 0 ? 0 : s + 1));
    markRead(arrived, 0);
  }, [app.notificationArrived, markRead]);

  const select = (index: number): void => {
    setSelected(Math.max(0, Math.min(index, items.length - 1)));
    if (index >= items.length - PREFETCH) void load(false);
  };

  useKeyHandler(
    LAYER.view,
    (event) => {
      const command = commandFor(event, ["notifications"]);
      const target = command === null ? null : moveTarget(command, selected, items.length);
      if (target !== null) {
        select(target);
        return true;
      }
      switch (command) {
        case null:
          return false;
        case "notif-refresh":
          void load(true);
          return true;
        case "notif-open": {
          const n = items[selected];
          if (!n) return true;
          if (n.type === "follow" || !n.post) app.open({ view: "profile", params: { userRef: n.actor.id } });
          else app.open({ view: "thread", params: { post: { ...n.post, author: n.post.author ?? n.actor } } });
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
      items={items}
      selected={selected}
      loaded={page.loaded}
      empty="No notifications yet."
      lineOf={notificationLine}
      width={props.width}
      height={props.height}
      dim={props.dim}
    />
  );
}
