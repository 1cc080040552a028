// Log in / Sign up: one screen, two forms. Live checks come from the shared contract rules;
// the server's answer lands under the field it concerns.
import { useEffect, useState, type ReactNode } from "react";
import { Box } from "ink";
import type { User } from "../../api/index.js";
import { checkEmail, checkPassword, checkUsername } from "../../api/rules.js";
import { ApiError, describeError } from "../api-errors.js";
import { useServices } from "../app/services.js";
import type { StatusApi } from "../app/status.js";
import { StyledLine } from "../components/StyledLine.js";
import { singleLineView } from "../components/text-area-lines.js";
import { commandFor, typesText } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import { applyEditKey } from "../keys/text-input.js";
import type { Line } from "../list/card-layout.js";
import { emptyEditor, type EditorState } from "../text/line-editor.js";
import { useLiveState } from "../state/use-live-state.js";
import { useServerProbe } from "../state/use-server-probe.js";

export type AuthMode = "login" | "signup";
type FieldName = "username" | "email" | "password" | "confirm" | "invite";
/** How the server takes sign-ups (GET /instance); a server without that route takes them open. */
export type Registration = "open" | "invite" | "closed";

export function formFields(mode: AuthMode, registration: Registration): FieldName[] {
  if (mode === "login") return ["email", "password"];
  return registration === "invite" ? ["invite", "username", "email", "password", "confirm"] : ["username", "email", "password", "confirm"];
}
export const CLOSED_MESSAGE = "This server is not taking new accounts";
const LABELS: Record<FieldName, string> = {
  username: "Username",
  email: "E-mail",
  password: "Password",
  confirm: "Password again",
  invite: "Invite code",
};
const LINK_TEXT: Record<AuthMode, string> = { login: "Create an account", signup: "I have an account" };
const TITLE: Record<AuthMode, string> = { login: "Log in to niotebook", signup: "Create your niotebook account" };
const SECRET = new Set<FieldName>(["password", "confirm"]);

type Values = Record<FieldName, EditorState>;

/** The live check for a field in a form (null when it passes). */
export function fieldProblem(mode: AuthMode, field: FieldName, values: Values): string | null {
  const text = values[field].text;
  if (mode === "login") return text === "" ? `Enter your ${field === "email" ? "e-mail" : "password"}` : null;
  switch (field) {
    case "username":
      return checkUsername(text)?.message ?? null;
    case "email":
      return checkEmail(text)?.message ?? null;
    case "password":
      return checkPassword(text)?.message ?? null;
    case "confirm":
      return text === values.password.text ? null : "Passwords don't match";
    case "invite":
      return text.trim() === "" ? "Enter your invite code" : null;
  }
}

export function LoginView(props: {
  width: number;
  height: number;
  status: StatusApi;
  onLoggedIn: (user: User) => void;
  onHelp: () => void;
  /** The form switched between log in and sign up (the header names the one showing). */
  onModeChange?: (mode: AuthMode) => void;
  active: boolean;
}): ReactNode {
  const { api } = useServices();
  const [mode, setMode, modeNow] = useLiveState<AuthMode>("login");
  const [focus, setFocus, focusNow] = useLiveState(0);
  const [values, setValues, valuesNow] = useLiveState<Values>({
    username: emptyEditor(), email: emptyEditor(), password: emptyEditor(), confirm: emptyEditor(), invite: emptyEditor(),
  });
  const [registration, setRegistration, registrationNow] = useLiveState<Registration>("open");
  const [serverErrors, setServerErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [showAll, setShowAll] = useState(false);
  const [busy, setBusy, busyNow] = useLiveState(false);
  // Said at once, not after a submit fails; gone as soon as the server answers.
  const unreachable = useServerProbe(true);

  const fields = formFields(mode, registration);

  // Asked when the sign-up form opens, so it shows the invite field or says sign-ups are closed.
  useEffect(() => {
    if (mode !== "signup") return;
    let stale = false;
    api.instance().then(
      (info) => !stale && setRegistration(info.registration),
      () => {}, // the original server, or none: the form stays as it is
    );
    return () => {
      stale = true;
    };
  }, [api, mode, setRegistration]);

  const switchMode = (): void => {
    const next: AuthMode = modeNow.current === "login" ? "signup" : "login";
    setMode(next);
    props.onModeChange?.(next);
    setFocus(0);
    setServerErrors({});
    setShowAll(false);
  };

  const submit = async (): Promise<void> => {
    const mode = modeNow.current;
    const fields = formFields(mode, registrationNow.current);
    const values = valuesNow.current;
    if (mode === "signup" && registrationNow.current === "closed") {
      props.status.show("error", CLOSED_MESSAGE);
      return;
    }
    const failing = fields.findIndex((f) => fieldProblem(mode, f, values) !== null);
    if (failing >= 0) {
      setShowAll(true);
      setFocus(failing);
      props.status.show("error", fieldProblem(mode, fields[failing]!, values)!);
      return;
    }
    setBusy(true);
    const done = props.status.progress(mode === "login" ? "Logging in…" : "Creating your account…");
    try {
      const result =
        mode === "login"
          ? await api.login({ email: values.email.text, password: values.password.text })
          : await api.register({
              username: values.username.text, email: values.email.text, password: values.password.text,
              ...(fields.includes("invite") ? { invite_code: values.invite.text.trim() } : {}),
            });
      done();
      props.onLoggedIn(result.user);
    } catch (e) {
      done();
      const message = describeError(e);
      const named = e instanceof ApiError ? e.field : undefined;
      const field = (named === "invite_code" ? "invite" : named) as FieldName | undefined;
      if (mode === "login") {
        // Keep the e-mail, clear the password, say why in the status line.
        setValues((v) => ({ ...v, password: emptyEditor() }));
        setFocus(fields.indexOf("password"));
        props.status.show("error", message);
      } else if (field && fields.includes(field)) {
        setServerErrors({ [field]: message });
        setFocus(fields.indexOf(field));
        props.status.show("error", message);
      } else {
        props.status.show("error", message);
      }
    } finally {
      setBusy(false);
    }
  };

  useKeyHandler(
    LAYER.view,
    (event) => {
      if (busyNow.current) return true;
      const fields = formFields(modeNow.current, registrationNow.current);
      const linkIndex = fields.length;
      const focus = focusNow.current;
      const focusedField = fields[focus];
      if (focusedField && commandFor(event, ["text-field"]) === "help-in-field") {
        props.onHelp();
        return true;
      }
      switch (commandFor(event, ["login"])) {
        case "switch-form":
          switchMode();
          return true;
        case "login-next-field":
          setFocus((f) => Math.min(linkIndex, f + 1));
          return true;
        case "login-prev-field":
          setFocus((f) => Math.max(0, f - 1));
          return true;
        case "submit":
          if (focus === linkIndex) switchMode();
          else void submit();
          return true;
      }
      if (!focusedField) return false; // on the link: q quits, ? opens help
      if (!applyEditKey(valuesNow.current[focusedField], event, false)) return typesText(event);
      setValues((v) => ({ ...v, [focusedField]: applyEditKey(v[focusedField], event, false) ?? v[focusedField] }));
      if (serverErrors[focusedField]) setServerErrors((s) => ({ ...s, [focusedField]: undefined }));
      return true;
    },
    props.active,
  );

  const formWidth = Math.max(20, Math.min(56, props.width - 4));
  const closed = mode === "signup" && registration === "closed";
  const notice = unreachable ?? (closed ? CLOSED_MESSAGE : null);
  const lines: Line[] = [[{ text: TITLE[mode], token: "title" }], notice ? [{ text: notice, token: "error" }] : []];
  let focusLine = 0;
  fields.forEach((field, index) => {
    const focused = index === focus;
    const value = values[field];
    const problem = serverErrors[field] ?? ((showAll || value.text !== "") && mode === "signup" ? fieldProblem(mode, field, values) : null);
    lines.push([{ text: focused ? "› " : "  ", token: "accent" }, { text: LABELS[field], token: focused ? "title" : "dim" }]);
    if (focused) focusLine = lines.length;
    lines.push([{ text: "  " }, ...singleLineView(value, formWidth - 2, { focused: focused && !busy, ...(SECRET.has(field) ? { mask: "•" } : {}) })]);
    lines.push(problem ? [{ text: `  ✗ ${problem}`, token: "error" }] : []);
  });
  const onLink = focus === fields.length;
  lines.push([{ text: onLink ? "› " : "  ", token: "accent" }, { text: `→ ${LINK_TEXT[mode]}`, token: onLink ? "accent" : "username" }]);
  if (onLink) focusLine = lines.length - 1;
  lines.push([{ text: "  Ctrl+T switches forms", token: "dim" }]);

  const start = Math.max(0, Math.min(focusLine - Math.floor(props.height / 2), lines.length - props.height));
  const shown = lines.slice(start, start + props.height);
  const left = Math.max(0, Math.floor((props.width - formWidth) / 2));
  const topPad = Math.max(0, Math.floor((props.height - shown.length) / 3));
  return (
    <Box flexDirection="column" height={props.height} paddingLeft={left} paddingTop={topPad}>
      {shown.map((line, i) => (
        <StyledLine key={i} line={line} width={Math.max(1, props.width - left)} />
      ))}
    </Box>
  );
}
