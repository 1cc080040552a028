// The compose box: multi-line editing, a live counter that counts as the server does,
// publish with Ctrl+S / Ctrl+J (/ Ctrl+Enter), and a draft that survives anything.
import { useState, type ReactNode } from "react";
import { useLiveState } from "../state/use-live-state.js";
// The rule modules themselves, not api/index.js: that one also loads the TypeBox schemas (200
// files) the client does not need.
import { POST_MAX } from "../../api/limits.js";
import { checkPostContent } from "../../api/rules.js";
import { countChars, normalizePostContent } from "../../api/text.js";
import type { SocialPost } from "../social.js";
import { ApiError, describeError } from "../api-errors.js";
import { useServices } from "../app/services.js";
import type { StatusApi } from "../app/status.js";
import { commandFor, hintsFor } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import { applyEditKey } from "../keys/text-input.js";
import type { Line } from "../list/card-layout.js";
import { emptyEditor, insertText, type EditorState } from "../text/line-editor.js";
import { wrapText } from "../text/wrap.js";
import { OverlayBox } from "./OverlayBox.js";
import { layoutTextArea, windowRows } from "./text-area-lines.js";

/** The counter turns red from here on, before the limit is reached. */
export const COUNTER_WARN_AT = 131;

export function postCounter(text: string): { count: number; over: boolean; warn: boolean } {
  const count = countChars(normalizePostContent(text));
  return { count, over: count > POST_MAX, warn: count >= COUNTER_WARN_AT };
}

/** The `@prefix` right before the cursor (a mention as social.md reads them), or null. */
export function mentionPrefix(state: EditorState): string | null {
  const match = /(?:^|[^\p{L}\p{N}_@])@([A-Za-z0-9_]{1,30})$/u.exec(state.text.slice(0, state.cursor));
  return match ? match[1]! : null;
}

export function ComposeOverlay(props: {
  /** Whose draft this box edits. */
  userId: string;
  /** The post this answers (the box is then titled "Reply to @name", with a draft of its own). */
  replyTo?: SocialPost | undefined;
  areaWidth: number;
  areaHeight: number;
  status: StatusApi;
  onClose: () => void;
  /** draftKept: text typed after the post while it was on its way is the next draft. */
  onPublished: (post: SocialPost, draftKept: boolean) => void;
  onHelp: () => void;
  active: boolean;
}): ReactNode {
  const { api, drafts } = useServices();
  // A reply's draft is kept apart from the post being written, per post answered.
  const draftKey = props.replyTo ? `${props.userId}:reply:${props.replyTo.id}` : props.userId;
  const [editor, setEditor, editorNow] = useLiveState<EditorState>(() => emptyEditor(drafts.load(draftKey)));
  const [error, setError] = useState<string | null>(null);
  /** The text on its way to the server: while it is, it can be added to but not changed. */
  const [sending, setSending, sendingNow] = useLiveState<string | null>(null);

  const update = (edit: (current: EditorState) => EditorState): void => {
    const before = editorNow.current;
    const next = edit(before);
    if (sendingNow.current !== null && !next.text.startsWith(sendingNow.current)) return;
    setEditor(next);
    if (next.text !== before.text) {
      drafts.save(draftKey, next.text); // synchronously: nothing typed may be lost
      setError(null);
    }
  };

  /** Completes `@prefix` before the cursor with the best username the server knows. */
  const complete = async (prefix: string): Promise<void> => {
    let users;
    try {
      users = await api.searchUsers(prefix, 5);
    } catch (e) {
      props.status.show("error", describeError(e));
      return;
    }
    const lower = prefix.toLowerCase();
    const match = users.find((u) => u.username.toLowerCase().startsWith(lower));
    if (!match) {
      props.status.show("info", `No user starts with @${prefix}`);
      return;
    }
    // Only if the text still ends in that prefix at the cursor (typing went on meanwhile: leave it).
    update((current) =>
      mentionPrefix(current) === prefix ? insertText({ text: current.text.slice(0, current.cursor - prefix.length) + current.text.slice(current.cursor), cursor: current.cursor - prefix.length }, `${match.username} `) : current,
    );
  };

  const publish = async (): Promise<void> => {
    const text = editorNow.current.text;
    const problem = checkPostContent(text);
    if (problem) {
      setError(problem.message);
      props.status.show("error", problem.message);
      return;
    }
    setSending(text);
    const done = props.status.progress("Posting…");
    try {
      const post = await api.createPost(text, props.replyTo ? { replyToId: props.replyTo.id } : {});
      done();
      // Typed after it while it was on its way: the next draft, never published with it nor dropped.
      const since = editorNow.current.text.slice(text.length).replace(/^\s+/, "");
      if (since === "") drafts.clear(draftKey);
      else drafts.save(draftKey, since);
      props.onPublished(post, since !== "");
    } catch (e) {
      done();
      const message = describeError(e);
      setError(message);
      props.status.show("error", message);
      if (e instanceof ApiError && e.kind === "session_expired") props.onClose();
    } finally {
      setSending(null);
    }
  };

  useKeyHandler(
    LAYER.overlay,
    (event) => {
      if (commandFor(event, ["text-field"]) === "help-in-field") {
        props.onHelp();
        return true;
      }
      const command = commandFor(event, ["compose"]);
      // While posting, typing after the text goes on; publishing again or closing waits for the answer.
      if (sendingNow.current !== null && (command === "publish" || command === "compose-close")) return true;
      switch (command) {
        case "publish":
          void publish();
          return true;
        case "compose-close":
          props.onClose();
          if (editorNow.current.text !== "") props.status.show("info", "Draft kept — press n to continue");
          return true;
        case "compose-newline":
          update((current) => insertText(current, "\n"));
          return true;
        case "compose-tab": {
          // tui.md: right after `@prefix` Tab completes a username; anywhere else it types a tab.
          const prefix = mentionPrefix(editorNow.current);
          if (prefix === null) update((current) => insertText(current, "\t"));
          else void complete(prefix);
          return true;
        }
      }
      if (applyEditKey(editorNow.current, event, true)) update((current) => applyEditKey(current, event, true) ?? current);
      return true; // the box has the keyboard
    },
    props.active,
  );

  const width = Math.max(20, Math.min(80, props.areaWidth - 4));
  const inner = width - 4;
  const textRows = Math.max(3, Math.min(10, props.areaHeight - 6));
  const layout = layoutTextArea(editor, inner, { focused: true });
  const counter = postCounter(editor.text);
  const lines: Line[] = windowRows(layout, textRows);
  while (lines.length < textRows) lines.push([]);
  if (editor.text === "") lines[0] = [{ text: " ", token: "cursor" }, { text: "What's happening?", token: "dim" }];
  if (error) for (const text of wrapText(error, inner).slice(0, 2)) lines.push([{ text, token: "error" }]);
  return (
    <OverlayBox
      title={props.replyTo ? `Reply to @${props.replyTo.author?.username ?? "unknown"}` : "New post"}
      badge={[{ text: `${counter.count}/${POST_MAX}`, token: counter.warn ? "error" : "dim" }]}
      lines={lines}
      footer={sending !== null ? "Posting…" : hintsFor(["compose"], inner)}
      width={width}
      areaWidth={props.areaWidth}
      areaHeight={props.areaHeight}
    />
  );
}
