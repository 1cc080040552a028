// Semantic colours, in one place. Views ask for a token ("username", "error"), never for a
// colour; with NO_COLOR or a non-colour terminal every token is plain text.
import { forTerminal } from "./text/display-width.js";

export type ThemeToken =
  | "accent" | "username" | "dim" | "error" | "success" | "warning" | "border" | "title" | "selected" | "cursor" | "entity";

export interface TextStyle {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
}

/** Dark theme on the terminal's own background: named colours (they follow the user's
 * palette) plus a few 256-colour tones. */
const DARK: Record<ThemeToken, TextStyle> = {
  accent: { color: "magentaBright", bold: true },
  username: { color: "cyan", bold: true },
  dim: { dimColor: true },
  error: { color: "red" },
  success: { color: "green" },
  warning: { color: "yellow" },
  border: { color: "ansi256(240)" },
  title: { bold: true },
  selected: { color: "magentaBright" },
  cursor: { inverse: true },
  entity: { color: "blueBright" },
};

/** The same tokens as SGR sequences, for lines painted as one pre-styled string (the
 * post list renders a whole screen as a single text node, which keeps frames cheap). */
const DARK_SGR: Record<ThemeToken, string> = {
  accent: "1;95",
  username: "1;36",
  dim: "2",
  error: "31",
  success: "32",
  warning: "33",
  border: "38;5;240",
  title: "1",
  selected: "95",
  cursor: "7",
  entity: "94",
};

export interface Theme {
  colors: boolean;
  style(token: ThemeToken): TextStyle;
  /** Text wrapped in the token's escape codes (plain without colours). */
  paint(token: ThemeToken | undefined, text: string, dim?: boolean): string;
}

export function createTheme(colors: boolean): Theme {
  return {
    colors,
    paint: (token, raw, dim) => {
      if (raw === "") return raw;
      const text = forTerminal(raw);
      if (!colors) return token === "cursor" ? `\x1b[7m${text}\x1b[27m` : text;
      const codes = [dim ? "2" : "", token ? DARK_SGR[token] : ""].filter(Boolean).join(";");
      return codes === "" ? text : `\x1b[${codes}m${text}\x1b[0m`;
    },
    // The cursor is not a colour, so it stays visible (as inverse video) without colours.
    style: (token) => (colors ? DARK[token] : token === "cursor" ? DARK.cursor : {}),
  };
}

/** Colours are on unless NO_COLOR is set (any value) or the output is not a colour terminal. */
export function colorsWanted(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean; hasColors?: () => boolean }): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  if (!stream.isTTY) return false;
  return typeof stream.hasColors === "function" ? stream.hasColors() : true;
}
