// The search line (tui.md "Search"): `/` opens it over the current view; Enter searches (or,
// once the results are for what is typed, opens the selected one: a post's thread, a
// user's profile); Tab switches between Posts and Users; ↑/↓ move; Esc closes. Posts come a
// page at a time: moving near the end of those loaded fetches the next (as the timeline does);
// users search is not paged (social.md): one answer of up to USERS_LIMIT.
import { useRef, useState, type ReactNode } from "react";
import type { User } from "../../api/index.js";
import { describeError } from "../api-errors.js";
import { useServices } from "../app/services.js";
import type { StatusApi } from "../app/status.js";
import type { Route } from "../app/views.js";
import { commandFor, hintsFor } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import { applyEditKey } from "../keys/text-input.js";
import type { Line } from "../list/card-layout.js";
import type { SocialPost } from "../social.js";
import { useLiveState } from "../state/use-live-state.js";
import { emptyEditor, type EditorState } from "../text/line-editor.js";
import { OverlayBox } from "./OverlayBox.js";
import { layoutTextArea, windowRows } from "./text-area-lines.js";

type Kind = "posts" | "users";
interface Results {
  query: string;
  posts: SocialPost[];
  users: User[];
  /** The next page of posts, null when there is none. */
  cursor: string | null;
}

const PAGE = 50;
const USERS_LIMIT = 50;
/** The next page of posts is asked for when the selection comes this close to the last loaded. */
const PREFETCH = 5;

export function SearchOverlay(props: {
  areaWidth: number;
  areaHeight: number;
  status: StatusApi;
  active: boolean;
  onClose: () => void;
  onHelp: () => void;
  /** Opens a result (the shell closes the search first). */
  onOpen: (route: Route) => void;
}): ReactNode {
  const { api } = useServices();
  const [editor, setEditor, editorNow] = useLiveState<EditorState>(() => emptyEditor(""));
  const [kind, setKind] = useState<Kind>("posts");
  const [results, setResults, resultsNow] = useLiveState<Results | null>(null);
  const [selected, setSelected, selectedNow] = useLiveState(0);
  const [error, setError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const loadingMore = useRef(false);

  const search = async (query: string): Promise<void> => {
    setSearching(true);
    setError(null);
    try {
      // Both at once, so Tab switches without waiting.
      const [posts, users] = await Promise.all([api.searchPosts(query, null, PAGE), api.searchUsers(query, USERS_LIMIT)]);
      setResults({ query, posts: posts.posts, users, cursor: posts.has_more ? posts.next_cursor : null });
      setSelected(0);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setSearching(false);
    }
  };

  /** Appends the next page of posts to the results it was asked for (dropped if a new search replaced them). */
  const loadMore = async (): Promise<void> => {
    const shown = resultsNow.current;
    if (!shown || shown.cursor === null || loadingMore.current) return;
    loadingMore.current = true;
    try {
      const next = await api.searchPosts(shown.query, shown.cursor, PAGE);
      if (resultsNow.current !== shown) return;
      const have = new Set(shown.posts.map((p) => p.id));
      setResults({ ...shown, posts: [...shown.posts, ...next.posts.filter((p) => !have.has(p.id))], cursor: next.has_more ? next.next_cursor : null });
    } catch (e) {
      setError(describeError(e));
    } finally {
      loadingMore.current = false;
    }
  };

  const list = (): (SocialPost | User)[] => (resultsNow.current ? resultsNow.current[kind] : []);

  useKeyHandler(
    LAYER.overlay,
    (event) => {
      if (commandFor(event, ["text-field"]) === "help-in-field") {
        props.onHelp();
        return true;
      }
      switch (commandFor(event, ["search"])) {
        case "search-close":
          props.onClose();
          return true;
        case "search-switch":
          setKind((k) => (k === "posts" ? "users" : "posts"));
          setSelected(0);
          return true;
        case "search-down": {
          const next = Math.min(selectedNow.current + 1, Math.max(0, list().length - 1));
          setSelected(next);
          if (kind === "posts" && next >= list().length - PREFETCH) void loadMore();
          return true;
        }
        case "search-up":
          setSelected((s) => Math.max(0, s - 1));
          return true;
        case "search-submit": {
          const query = editorNow.current.text.trim();
          if (query === "") return true;
          const shown = resultsNow.current;
          if (shown && shown.query === query) {
            const hit = list()[selectedNow.current];
            if (hit && kind === "posts") props.onOpen({ view: "thread", params: { post: hit as SocialPost } });
            else if (hit) props.onOpen({ view: "profile", params: { userRef: hit.id } });
            return true;
          }
          void search(query);
          return true;
        }
        default:
          break;
      }
      const next = applyEditKey(editorNow.current, event, false);
      if (next) setEditor(next);
      return true; // the line has the keyboard
    },
    props.active,
  );

  const width = Math.max(30, Math.min(90, props.areaWidth - 4));
  const inner = width - 4;
  const rows = Math.max(3, props.areaHeight - 7);
  const query = windowRows(layoutTextArea(editor, inner - 2, { focused: true }), 1)[0] ?? [];
  const lines: Line[] = [[{ text: "/ ", token: "accent" }, ...query]];
  const tab = (name: string, k: Kind): Line[number] => (kind === k ? { text: `[${name}]`, token: "accent" } : { text: ` ${name} ` });
  lines.push([tab("Posts", "posts"), { text: " " }, tab("Users", "users")]);
  if (error) lines.push([{ text: error, token: "error" }]);
  else if (searching) lines.push([{ text: "Searching…", token: "dim" }]);
  else if (results) {
    const items = results[kind];
    if (items.length === 0) lines.push([{ text: kind === "posts" ? "No posts found." : "No users found.", token: "dim" }]);
    const top = Math.max(0, Math.min(selected - rows + 1, items.length - rows));
    items.slice(top, top + rows).forEach((item, i) => {
      const mark = top + i === selected ? { text: "▸ ", token: "selected" as const } : { text: "  " };
      if (kind === "posts") {
        const post = item as SocialPost;
        lines.push([mark, { text: `@${post.author?.username ?? "unknown"}`, token: "username" }, { text: `  ${post.content.replace(/\s+/g, " ")}` }]);
      } else {
        const user = item as User;
        lines.push([mark, { text: `@${user.username}`, token: "username" }, { text: `  ${user.display_name}`, token: "dim" }]);
      }
    });
  }
  return <OverlayBox title="Search" lines={lines} footer={hintsFor(["search"], inner)} width={width} areaWidth={props.areaWidth} areaHeight={props.areaHeight} />;
}
