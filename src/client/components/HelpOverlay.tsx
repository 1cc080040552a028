// The help overlay: the keys of the current view, generated from the command table.
import { useState, type ReactNode } from "react";
import { commandFor, commandsIn, isKeyRun, type Scope } from "../keys/bindings.js";
import { LAYER, useKeyHandler } from "../keys/key-router.js";
import type { Line } from "../list/card-layout.js";
import { padToWidth } from "../text/display-width.js";
import { OverlayBox } from "./OverlayBox.js";

export function helpLines(scopes: readonly Scope[]): Line[] {
  // While typing, ? and q are text: of the keys that work everywhere only Ctrl+C still does.
  const typing = scopes.includes("text-field");
  const commands = typing
    ? [...commandsIn(scopes), ...commandsIn(["global"]).filter((c) => c.id === "force-quit")]
    : commandsIn([...scopes, "global"]);
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
  const all = helpLines(props.scopes);
  // At small sizes the list is longer than the box: it scrolls, and the footer says where.
  const room = Math.max(1, props.areaHeight - 3);
  const maxOffset = Math.max(0, all.length - room);
  const [wanted, setOffset] = useState(0);
  const offset = Math.min(wanted, maxOffset);
  useKeyHandler(LAYER.help, (event) => {
    // Keys that arrived together (key repeat, a paste) come as one run: hand it back, and the
    // router replays it here key by key.
    if (isKeyRun(event)) return false;
    const command = commandFor(event, ["help"]);
    if (command === "close-help") {
      props.onClose();
      return true;
    }
    const steps: Partial<Record<string, number>> = { "help-down": 1, "help-up": -1, "help-page-down": room, "help-page-up": -room };
    const step = command ? steps[command] : undefined;
    if (step !== undefined) {
      setOffset((current) => Math.max(0, Math.min(maxOffset, Math.min(current, maxOffset) + step)));
      return true;
    }
    // q and Ctrl+C still quit; everything else is swallowed while help is open.
    return commandFor(event, ["global"]) !== "quit";
  });
  const lines = all.slice(offset, offset + room);
  const footer = all.length > room
    ? `${offset + 1}–${offset + lines.length} of ${all.length} · j/k more · Esc`
    : "Esc or ? closes";
  const width = Math.min(64, props.areaWidth - 2);
  return (
    <OverlayBox
      title={`Keys — ${props.viewName}`}
      lines={lines}
      footer={footer}
      width={width}
      areaWidth={props.areaWidth}
      areaHeight={props.areaHeight}
    />
  );
}
