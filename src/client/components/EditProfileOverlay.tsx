// Edit display name and bio, with the contract's live limits (50 / 160).
import { useState, type ReactNode } from "react";
import type { User } from "../../api/index.js";
import { BIO_MAX, DISPLAY_NAME_MAX } from "../../api/limits.js";
import { checkBio, checkDisplayName, normalizeBio } from "../../api/rules.js";
import { countChars } from "../../api/text.js";
import { ApiError, describeError } from "../api-errors.js";
import { useServices } from "../app/services.js";
import type { StatusApi } from "../app/status.js";
import { commandFor } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import { applyEditKey } from "../keys/text-input.js";
import type { Line } from "../list/card-layout.js";
import { emptyEditor, insertText, type EditorState } from "../text/line-editor.js";
import { useLiveState } from "../state/use-live-state.js";
import { OverlayBox } from "./OverlayBox.js";
import { layoutTextArea, singleLineView, windowRows } from "./text-area-lines.js";

type Field = "display_name" | "bio";

export function EditProfileOverlay(props: {
  user: User;
  areaWidth: number;
  areaHeight: number;
  status: StatusApi;
  onClose: () => void;
  onSaved: (user: User) => void;
  onHelp: () => void;
  active: boolean;
}): ReactNode {
  const { api } = useServices();
  const [name, setName, nameNow] = useLiveState<EditorState>(() => emptyEditor(props.user.display_name));
  const [bio, setBio, bioNow] = useLiveState<EditorState>(() => emptyEditor(props.user.bio));
  const [focus, setFocus, focusNow] = useLiveState<Field>("display_name");
  const [serverError, setServerError] = useState<{ field: string; message: string } | null>(null);
  const [saving, setSaving, savingNow] = useLiveState(false);

  const nameError = checkDisplayName(name.text)?.message ?? null;
  const bioError = checkBio(bio.text)?.message ?? null;

  const save = async (): Promise<void> => {
    const nameProblem = checkDisplayName(nameNow.current.text)?.message ?? null;
    const problem = nameProblem ?? checkBio(bioNow.current.text)?.message ?? null;
    if (problem) {
      props.status.show("error", problem);
      setFocus(nameProblem ? "display_name" : "bio");
      return;
    }
    setSaving(true);
    const done = props.status.progress("Saving profile…");
    try {
      const user = await api.updateProfile({ display_name: nameNow.current.text, bio: normalizeBio(bioNow.current.text) });
      done();
      props.onSaved(user);
    } catch (e) {
      done();
      const message = describeError(e);
      if (e instanceof ApiError && (e.field === "display_name" || e.field === "bio")) {
        setServerError({ field: e.field, message });
      }
      props.status.show("error", message);
    } finally {
      setSaving(false);
    }
  };

  useKeyHandler(
    LAYER.overlay,
    (event) => {
      if (savingNow.current) return true;
      if (commandFor(event, ["text-field"]) === "help-in-field") {
        props.onHelp();
        return true;
      }
      switch (commandFor(event, ["edit-profile"])) {
        case "edit-profile-save":
          void save();
          return true;
        case "edit-profile-cancel":
          props.onClose();
          return true;
        case "edit-profile-next-field":
          setFocus((f) => (f === "display_name" ? "bio" : "display_name"));
          return true;
        case "bio-newline":
          if (focusNow.current === "bio") {
            setBio((current) => insertText(current, "\n"));
            setServerError(null);
          }
          return true;
      }
      const field = focusNow.current;
      const setField = field === "bio" ? setBio : setName;
      if (applyEditKey((field === "bio" ? bioNow : nameNow).current, event, field === "bio")) {
        setField((current) => applyEditKey(current, event, field === "bio") ?? current);
        setServerError(null);
      }
      return true;
    },
    props.active,
  );

  const width = Math.max(30, Math.min(70, props.areaWidth - 4));
  const inner = width - 4;
  // Fixed lines: two labels, the name, two error lines, two borders, the footer.
  const bioRows = Math.max(1, Math.min(5, props.areaHeight - 8));
  /** Red whenever the field would be refused (an empty display name as well as a long one). */
  const counter = (count: number, max: number, refused: boolean): Line[number] => ({
    text: `${count}/${max}`,
    token: refused || count > max ? "error" : "dim",
  });
  const errorFor = (field: Field, local: string | null): Line[] => {
    const text = serverError?.field === field ? serverError.message : local;
    return text ? [[{ text: `✗ ${text}`, token: "error" }]] : [[]];
  };
  const bioLayout = layoutTextArea(bio, inner, { focused: focus === "bio" && !saving });
  const bioLines = windowRows(bioLayout, bioRows);
  while (bioLines.length < bioRows) bioLines.push([]);
  const lines: Line[] = [
    [{ text: focus === "display_name" ? "› " : "  ", token: "accent" }, { text: "Display name  ", token: "title" }, counter(countChars(name.text), DISPLAY_NAME_MAX, nameError !== null)],
    singleLineView(name, inner, { focused: focus === "display_name" && !saving }),
    ...errorFor("display_name", nameError),
    [{ text: focus === "bio" ? "› " : "  ", token: "accent" }, { text: "Bio  ", token: "title" }, counter(countChars(normalizeBio(bio.text)), BIO_MAX, bioError !== null)],
    ...bioLines,
    ...errorFor("bio", bioError),
  ];
  // In a small terminal, give up the footer (the status line has the keys) and empty error rows.
  let footer: string | undefined = saving ? "Saving…" : "Tab switch field · Ctrl+S save · Esc cancel";
  let shown = lines;
  if (shown.length + 3 > props.areaHeight) footer = undefined;
  if (shown.length + 2 > props.areaHeight) shown = shown.filter((line) => line.length > 0);
  return (
    <OverlayBox
      title="Edit profile"
      lines={shown}
      {...(footer ? { footer } : {})}
      width={width}
      areaWidth={props.areaWidth}
      areaHeight={props.areaHeight}
    />
  );
}
