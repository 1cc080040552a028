// Applies a key to a text field. Returns the new state, or null when the key is not an
// editing key (so the caller can treat it as a command).
import { commandFor } from "./bindings.js";
import type { KeyEvent } from "./parse-key.js";
import {
  deleteBackward, deleteForward, deleteWordBackward, insertText, killToLineEnd, killToLineStart,
  lineEnd, lineStart, moveLeft, moveRight, moveVertical, type EditorState,
} from "../text/line-editor.js";

export function applyEditKey(state: EditorState, event: KeyEvent, multiline: boolean): EditorState | null {
  if (event.text !== undefined && !event.ctrl && !event.meta) return insertText(state, event.text, multiline);
  if (event.name === "backspace" && !event.ctrl) return deleteBackward(state);
  if (event.name === "delete") return deleteForward(state);
  if (event.name === "left") return moveLeft(state);
  if (event.name === "right") return moveRight(state);
  if (multiline && event.name === "up" && !event.ctrl) return moveVertical(state, -1);
  if (multiline && event.name === "down" && !event.ctrl) return moveVertical(state, 1);
  switch (commandFor(event, ["text-field"])) {
    case "line-start":
      return lineStart(state);
    case "line-end":
      return lineEnd(state);
    case "kill-start":
      return killToLineStart(state);
    case "kill-end":
      return killToLineEnd(state);
    case "kill-word":
      return deleteWordBackward(state);
    default:
      return null;
  }
}
