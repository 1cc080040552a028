// The one table of commands: what each key does and where. Key handling, the help overlay
// and the status-line hints are all generated from it, so they cannot disagree. No file
// outside src/client/keys/ compares key names: it asks commandFor (test/client/key-walls).
// Ids are unique across the table; specs are parsed once, when this module loads.
import type { KeyEvent } from "./parse-key.js";

export type Scope =
  | "global" | "login" | "timeline" | "profile" | "own-profile" | "thread" | "users" | "notifications"
  | "compose" | "edit-profile" | "report" | "search" | "help" | "confirm" | "text-field";

export interface Command {
  id: string;
  /** Key specs: a character ("j", "G", "?"), a named key ("down", "pagedown", "enter"),
   * optionally with modifiers ("ctrl+s", "shift+tab"). */
  keys: readonly string[];
  /** How the keys are shown in help. */
  label: string;
  description: string;
  scopes: readonly Scope[];
  /** Short status-line hint; commands without one appear only in help. */
  hint?: string;
  /** Keys shown with the hint, when not the first of `label`. */
  hintKeys?: string;
}

const LIST: Scope[] = ["timeline", "profile", "own-profile"];
/** Where a post is selected: the post lists and the thread. */
const POSTS: Scope[] = [...LIST, "thread"];
/** Views with the two timeline tabs one key away (not while typing, not on the log-in form). */
const BROWSING: Scope[] = [...POSTS, "users", "notifications"];

export const COMMANDS = [
  // Everywhere
  { id: "help", keys: ["?"], label: "?", description: "Show the keys of this view", scopes: ["global"], hint: "help" },
  { id: "help-in-field", keys: ["f1"], label: "F1", description: "Show help while typing", scopes: ["text-field"], hint: "help" },
  { id: "quit", keys: ["q"], label: "q", description: "Quit (not while typing)", scopes: ["global"], hint: "quit" },
  { id: "force-quit", keys: ["ctrl+c"], label: "Ctrl+C", description: "Quit at once, keeping any draft", scopes: ["global"] },
  { id: "redraw", keys: ["ctrl+l"], label: "Ctrl+L", description: "Redraw the screen", scopes: ["global"] },
  { id: "logout", keys: ["L"], label: "L", description: "Log out (asks first)", scopes: BROWSING },
  { id: "back", keys: ["escape"], label: "Esc", description: "Go back", scopes: ["profile", "own-profile", "thread", "users"], hint: "back" },
  { id: "tab-home", keys: ["1"], label: "1", description: "Home: you and the people you follow", scopes: BROWSING },
  { id: "tab-global", keys: ["2"], label: "2", description: "Global: everyone's posts", scopes: BROWSING },
  { id: "tab-notifications", keys: ["3"], label: "3", description: "Notifications: who liked, reposted, replied, mentioned, followed", scopes: BROWSING },

  // Timeline and profile lists
  { id: "list-down", keys: ["j", "down"], label: "j/↓", description: "Next post", scopes: POSTS, hint: "move", hintKeys: "j/k" },
  { id: "list-up", keys: ["k", "up"], label: "k/↑", description: "Previous post", scopes: POSTS },
  { id: "list-first", keys: ["g", "home"], label: "g/Home", description: "First post", scopes: POSTS },
  { id: "list-last", keys: ["G", "end"], label: "G/End", description: "Last loaded post", scopes: POSTS },
  { id: "list-page-down", keys: ["space", "pagedown"], label: "Space/PgDn", description: "Page down", scopes: POSTS },
  { id: "list-page-up", keys: ["b", "pageup"], label: "b/PgUp", description: "Page up", scopes: POSTS },

  { id: "refresh", keys: ["r"], label: "r", description: "Refresh", scopes: POSTS, hint: "refresh" },
  { id: "compose", keys: ["n"], label: "n", description: "Write a post", scopes: LIST, hint: "new post" },
  { id: "open-author", keys: ["enter"], label: "Enter", description: "Open the author's profile", scopes: ["timeline", "thread"], hint: "author" },
  { id: "own-profile", keys: ["p"], label: "p", description: "Your profile", scopes: ["timeline", "profile", "thread", "users", "notifications"], hint: "profile" },
  { id: "view-post", keys: ["v"], label: "v", description: "The post's thread (deeper from a thread)", scopes: POSTS, hint: "thread" },
  { id: "like", keys: ["l"], label: "l", description: "Like / unlike the post", scopes: POSTS, hint: "like" },
  { id: "repost", keys: ["t"], label: "t", description: "Repost / undo the repost", scopes: POSTS },
  { id: "reply", keys: ["R"], label: "R", description: "Reply to the post", scopes: POSTS, hint: "reply" },
  { id: "delete-post", keys: ["d"], label: "d", description: "Delete your post (a repost of it: the original)", scopes: POSTS },
  { id: "report-post", keys: ["!"], label: "!", description: "Report the post (asks for a reason)", scopes: POSTS },
  { id: "show-new", keys: ["."], label: ".", description: "Show the new posts the bar announces", scopes: ["timeline"] },
  { id: "search", keys: ["/"], label: "/", description: "Search posts and users", scopes: BROWSING, hint: "search" },
  { id: "mute", keys: ["m"], label: "m", description: "Mute / unmute", scopes: ["profile"] },
  { id: "block", keys: ["B"], label: "B", description: "Block / unblock (asks first)", scopes: ["profile"] },
  { id: "report-user", keys: ["U"], label: "U", description: "Report the user (asks for a reason)", scopes: ["profile"] },
  { id: "follow", keys: ["f"], label: "f", description: "Follow / unfollow", scopes: ["profile"], hint: "follow" },
  { id: "followers", keys: ["F"], label: "F", description: "Followers", scopes: ["profile", "own-profile"] },
  { id: "following", keys: ["W"], label: "W", description: "Following", scopes: ["profile", "own-profile"] },

  // Lists of users (followers, following)
  { id: "users-down", keys: ["j", "down"], label: "j/↓", description: "Next user", scopes: ["users"], hint: "move", hintKeys: "j/k" },
  { id: "users-up", keys: ["k", "up"], label: "k/↑", description: "Previous user", scopes: ["users"] },
  { id: "users-first", keys: ["g", "home"], label: "g/Home", description: "First user", scopes: ["users"] },
  { id: "users-last", keys: ["G", "end"], label: "G/End", description: "Last loaded user", scopes: ["users"] },
  { id: "open-user", keys: ["enter"], label: "Enter", description: "Open the profile", scopes: ["users"], hint: "profile" },
  { id: "notif-down", keys: ["j", "down"], label: "j/↓", description: "Next notification", scopes: ["notifications"], hint: "move", hintKeys: "j/k" },
  { id: "notif-up", keys: ["k", "up"], label: "k/↑", description: "Previous notification", scopes: ["notifications"] },
  { id: "notif-first", keys: ["g", "home"], label: "g/Home", description: "Newest notification", scopes: ["notifications"] },
  { id: "notif-last", keys: ["G", "end"], label: "G/End", description: "Last loaded notification", scopes: ["notifications"] },
  { id: "notif-open", keys: ["enter"], label: "Enter", description: "Open the post's thread (a follow: the profile)", scopes: ["notifications"], hint: "open" },
  { id: "notif-refresh", keys: ["r"], label: "r", description: "Refresh", scopes: ["notifications"], hint: "refresh" },
  { id: "edit-profile", keys: ["e"], label: "e", description: "Edit display name and bio", scopes: ["own-profile"], hint: "edit" },

  // Compose box
  { id: "publish", keys: ["ctrl+s", "ctrl+j", "ctrl+enter"], label: "Ctrl+S/Ctrl+J", description: "Publish", scopes: ["compose"], hint: "publish" },
  { id: "compose-newline", keys: ["enter"], label: "Enter", description: "New line", scopes: ["compose"], hint: "new line" },
  { id: "compose-tab", keys: ["tab"], label: "Tab", description: "Complete a username after @prefix; else type a tab", scopes: ["compose"] },
  { id: "compose-close", keys: ["escape"], label: "Esc", description: "Close, keeping the draft", scopes: ["compose"], hint: "close, draft kept" },

  // Text editing, in every text field
  { id: "line-start", keys: ["ctrl+a", "home"], label: "Ctrl+A", description: "Start of line", scopes: ["text-field"] },
  { id: "line-end", keys: ["ctrl+e", "end"], label: "Ctrl+E", description: "End of line", scopes: ["text-field"] },
  { id: "kill-start", keys: ["ctrl+u"], label: "Ctrl+U", description: "Delete to start of line", scopes: ["text-field"] },
  { id: "kill-end", keys: ["ctrl+k"], label: "Ctrl+K", description: "Delete to end of line", scopes: ["text-field"] },
  { id: "kill-word", keys: ["ctrl+w"], label: "Ctrl+W", description: "Delete the word before the cursor", scopes: ["text-field"] },

  // Edit profile box
  { id: "edit-profile-save", keys: ["ctrl+s", "ctrl+j"], label: "Ctrl+S/Ctrl+J", description: "Save", scopes: ["edit-profile"], hint: "save" },
  { id: "login-next-field", keys: ["tab", "down"], label: "Tab/↓", description: "Next field", scopes: ["login"], hint: "next" },
  { id: "bio-newline", keys: ["enter"], label: "Enter", description: "New line (in the bio)", scopes: ["edit-profile"] },
  { id: "edit-profile-next-field", keys: ["tab", "shift+tab"], label: "Tab", description: "Other field", scopes: ["edit-profile"], hint: "next field" },
  { id: "login-prev-field", keys: ["shift+tab", "up"], label: "Shift+Tab/↑", description: "Previous field", scopes: ["login"] },
  { id: "edit-profile-cancel", keys: ["escape"], label: "Esc", description: "Cancel", scopes: ["edit-profile"], hint: "cancel" },

  // Search line
  { id: "search-submit", keys: ["enter"], label: "Enter", description: "Search; on the results, open the selected one", scopes: ["search"], hint: "search/open" },
  { id: "search-switch", keys: ["tab"], label: "Tab", description: "Switch between Posts and Users", scopes: ["search"], hint: "posts/users" },
  { id: "search-down", keys: ["down"], label: "↓", description: "Next result", scopes: ["search"] },
  { id: "search-up", keys: ["up"], label: "↑", description: "Previous result", scopes: ["search"] },
  { id: "search-close", keys: ["escape"], label: "Esc", description: "Close the search", scopes: ["search"], hint: "close" },

  // Report box
  { id: "report-send", keys: ["enter", "ctrl+s"], label: "Enter", description: "Send the report", scopes: ["report"], hint: "send" },
  { id: "report-cancel", keys: ["escape"], label: "Esc", description: "Cancel", scopes: ["report"], hint: "cancel" },

  // Log in / sign up
  { id: "submit", keys: ["enter"], label: "Enter", description: "Submit (or follow the link)", scopes: ["login"], hint: "submit" },
  { id: "switch-form", keys: ["ctrl+t"], label: "Ctrl+T", description: "Switch between log in and sign up", scopes: ["login"], hint: "switch form" },

  // Delete confirmation and help
  { id: "confirm-yes", keys: ["y", "Y"], label: "y", description: "Yes", scopes: ["confirm"], hint: "yes" },
  { id: "confirm-no", keys: ["n", "N", "escape"], label: "n/Esc", description: "No, leave things as they are", scopes: ["confirm"], hint: "no" },
  { id: "close-help", keys: ["escape", "?", "f1"], label: "Esc/?", description: "Close help", scopes: ["help"], hint: "close" },
  { id: "help-down", keys: ["j", "down"], label: "j/↓", description: "Scroll the list of keys", scopes: ["help"] },
  { id: "help-up", keys: ["k", "up"], label: "k/↑", description: "Scroll the list of keys back", scopes: ["help"] },
  { id: "help-page-down", keys: ["space", "pagedown"], label: "Space/PgDn", description: "Next page of keys", scopes: ["help"] },
  { id: "help-page-up", keys: ["b", "pageup"], label: "b/PgUp", description: "Previous page of keys", scopes: ["help"] },
] as const satisfies readonly Command[];

export type CommandId = (typeof COMMANDS)[number]["id"];

/** A parsed key spec ("ctrl+s" → name "s", ctrl). */
export interface KeySpec {
  name: string;
  ctrl: boolean;
  shift: boolean;
  meta: boolean;
}

export function parseKeySpec(spec: string): KeySpec {
  const parts = spec.split("+");
  const name = parts.pop()!;
  for (const part of parts) {
    if (!["ctrl", "shift", "alt", "meta"].includes(part)) throw new Error(`key spec ${spec}: unknown modifier ${part}`);
  }
  return { name, ctrl: parts.includes("ctrl"), shift: parts.includes("shift"), meta: parts.includes("alt") || parts.includes("meta") };
}

export function keyMatches(spec: KeySpec, event: KeyEvent): boolean {
  if (event.ctrl !== spec.ctrl || event.meta !== spec.meta) return false;
  // Letters carry their case in the name; only named keys compare the shift flag.
  if (spec.name.length > 1 && event.shift !== spec.shift) return false;
  return event.name === spec.name;
}

/** Per scope, in table order, each command with its keys parsed: built once, at load. */
const BY_SCOPE: ReadonlyMap<Scope, readonly { id: CommandId; keys: readonly KeySpec[] }[]> = (() => {
  const map = new Map<Scope, { id: CommandId; keys: KeySpec[] }[]>();
  const seen = new Set<string>();
  for (const command of COMMANDS as readonly Command[]) {
    if (seen.has(command.id)) throw new Error(`command id ${command.id} is bound twice`);
    seen.add(command.id);
    const keys = command.keys.map(parseKeySpec);
    for (const scope of command.scopes) {
      const list = map.get(scope) ?? [];
      list.push({ id: command.id as CommandId, keys });
      map.set(scope, list);
    }
  }
  return map;
})();

/** The command the key triggers in the first scope (in order) that binds it. */
export function commandFor(event: KeyEvent, scopes: readonly Scope[]): CommandId | null {
  for (const scope of scopes) {
    for (const command of BY_SCOPE.get(scope) ?? []) {
      if (command.keys.some((spec) => keyMatches(spec, event))) return command.id;
    }
  }
  return null;
}

/** The key types text (a character or a run of them, no Ctrl or Alt): what a text field
 * takes, and what the too-small screen lets through to one. */
export function typesText(event: KeyEvent): boolean {
  return (event.text !== undefined || event.name === "text") && !event.ctrl && !event.meta;
}

/** A run of keys that arrived together (key repeat, typing fast): a handler that wants them
 * one by one returns false and the router replays them singly. */
export function isKeyRun(event: KeyEvent): boolean {
  return event.name === "text";
}

/** Commands to list in help for these scopes, each once. */
export function commandsIn(scopes: readonly Scope[]): Command[] {
  const seen = new Set<string>();
  const out: Command[] = [];
  for (const scope of scopes) {
    for (const command of COMMANDS as readonly Command[]) {
      if (!command.scopes.includes(scope)) continue;
      if (seen.has(command.id)) continue;
      seen.add(command.id);
      out.push(command);
    }
  }
  return out;
}

/** Status-line hints, e.g. "j/k move · n new post · ? help". When `width` is given, hints
 * are dropped from the end until the line fits, but the help hint always stays. */
export function hintsFor(scopes: readonly Scope[], width = Infinity): string {
  const commands = commandsIn(scopes).filter((command) => command.hint);
  const items = commands.map((command) => ({
    text: `${command.hintKeys ?? shortLabel(command.label)} ${command.hint}`,
    pinned: command.id === "help" || command.id === "help-in-field",
  }));
  const join = (): string => items.map((item) => item.text).join(" · ");
  while (join().length > width) {
    const drop = items.findLastIndex((item) => !item.pinned);
    if (drop < 0) break;
    items.splice(drop, 1);
  }
  return join();
}

function shortLabel(label: string): string {
  return label.split("/")[0]!;
}
