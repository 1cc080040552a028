// The help overlay: the keys of the current view, generated from the command table.
import type { ReactNode } from "react";
import { commandFor, commandsIn, type Scope } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import type { Line } from "../list/card-layout.js";
import { padToWidth } from "../text/display-width.js";
import { OverlayBox } from "./OverlayBox.js";

export function helpLines(scopes: readonly Scope[]): Line[] {
  const commands = commandsIn([...scopes, "global"]);
  const labelWidth = Math.max(...commands.map((c) => c.label.length));
  return commands.map((c) => [
    { text: padToWidth(c.label, labelWidth + 2), token: "accent" },
    { text: c.description },
  ]);
}

export function HelpOverlay(props: {
  scopes: readonly Scope[];
  viewName: string;
  onClose: () => void;
  areaWidth: number;
  areaHeight: number;
}): ReactNode {
  useKeyHandler(LAYER.help, (event) => {
    if (commandFor(event, ["help"]) === "close-help") {
      props.onClose();
      return true;
    }
    // q and Ctrl+C still quit; everything else is swallowed while help is open.
    return !(event.name === "q" && !event.ctrl);
  });
  const all = helpLines(props.scopes);
  const room = Math.max(1, props.areaHeight - 3);
  const lines = all.length > room ? [...all.slice(0, room - 1), [{ text: `… ${all.length - room + 1} more`, token: "dim" as const }]] : all;
  const width = Math.min(64, props.areaWidth - 2);
  return (
    <OverlayBox
      title={`Keys — ${props.viewName}`}
      lines={lines}
      footer="Esc or ? closes"
      width={width}
      areaWidth={props.areaWidth}
      areaHeight={props.areaHeight}
    />
  );
}
