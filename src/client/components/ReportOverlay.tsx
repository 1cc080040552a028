// The report box (tui.md "Cards" `!`, "Profiles" `U`): a reason of 1–500 characters, counted
// as the server counts them; Enter sends it (POST /reports), Esc cancels.
import { useState, type ReactNode } from "react";
import { countChars } from "../../api/text.js";
import { describeError } from "../api-errors.js";
import { useServices } from "../app/services.js";
import type { StatusApi } from "../app/status.js";
import type { ReportTarget } from "../app/views.js";
import { commandFor, hintsFor } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import { applyEditKey } from "../keys/text-input.js";
import type { Line } from "../list/card-layout.js";
import { useLiveState } from "../state/use-live-state.js";
import { emptyEditor, type EditorState } from "../text/line-editor.js";
import { wrapText } from "../text/wrap.js";
import { OverlayBox } from "./OverlayBox.js";
import { layoutTextArea, windowRows } from "./text-area-lines.js";

export const REPORT_REASON_MAX = 500;

/** The reason as sent, or why it cannot be. */
export function checkReason(text: string): { reason: string } | { problem: string } {
  const reason = text.trim();
  if (reason === "") return { problem: "Say why you report this" };
  if (countChars(reason) > REPORT_REASON_MAX) return { problem: `A reason is at most ${REPORT_REASON_MAX} characters` };
  return { reason };
}

export function ReportOverlay(props: {
  target: ReportTarget;
  areaWidth: number;
  areaHeight: number;
  status: StatusApi;
  active: boolean;
  onClose: () => void;
  onHelp: () => void;
}): ReactNode {
  const { api } = useServices();
  const [editor, setEditor, editorNow] = useLiveState<EditorState>(() => emptyEditor(""));
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending, sendingNow] = useLiveState(false);

  const send = async (): Promise<void> => {
    const checked = checkReason(editorNow.current.text);
    if ("problem" in checked) {
      setError(checked.problem);
      return;
    }
    setSending(true);
    const done = props.status.progress("Reporting…");
    const { label: _label, ...target } = props.target;
    try {
      await api.report(target as { post_id: string } | { user_id: string }, checked.reason);
      done();
      props.onClose();
      props.status.show("success", "Reported — thank you");
    } catch (e) {
      done();
      setError(describeError(e));
    } finally {
      setSending(false);
    }
  };

  useKeyHandler(
    LAYER.overlay,
    (event) => {
      if (commandFor(event, ["text-field"]) === "help-in-field") {
        props.onHelp();
        return true;
      }
      const command = commandFor(event, ["report"]);
      if (sendingNow.current) return true;
      if (command === "report-send") {
        void send();
        return true;
      }
      if (command === "report-cancel") {
        props.onClose();
        props.status.show("info", "Not reported");
        return true;
      }
      const next = applyEditKey(editorNow.current, event, false);
      if (next) {
        setEditor(next);
        setError(null);
      }
      return true; // the box has the keyboard
    },
    props.active,
  );

  const width = Math.max(20, Math.min(70, props.areaWidth - 4));
  const inner = width - 4;
  const rows = Math.max(2, Math.min(6, props.areaHeight - 8));
  const lines: Line[] = windowRows(layoutTextArea(editor, inner, { focused: true }), rows);
  while (lines.length < rows) lines.push([]);
  if (editor.text === "") lines[0] = [{ text: " ", token: "cursor" }, { text: "Why? (the operators read this)", token: "dim" }];
  if (error) for (const text of wrapText(error, inner).slice(0, 2)) lines.push([{ text, token: "error" }]);
  const count = countChars(editor.text.trim());
  return (
    <OverlayBox
      title={`Report ${props.target.label}`}
      badge={[{ text: `${count}/${REPORT_REASON_MAX}`, token: count > REPORT_REASON_MAX ? "error" : "dim" }]}
      lines={lines}
      footer={sending ? "Reporting…" : hintsFor(["report"], inner)}
      width={width}
      areaWidth={props.areaWidth}
      areaHeight={props.areaHeight}
    />
  );
}
