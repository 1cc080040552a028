// Raw terminal input → key events. Ink splits escape sequences apart but hands over a run of
// plain characters (typing fast, a paste, tmux send-keys) as one string, so the run is
// split here; a run of printable text stays together so a paste is inserted at once.
export interface KeyEvent {
  /** Key name: a printable character itself ("j", "G", "?"), or up, down, left, right, home,
   * end, pageup, pagedown, enter, escape, tab, backspace, delete, space, f1…f12, "text" (a run
   * of typed characters), "paste" (a bracketed paste: only text fields take it). */
  name: string;
  ctrl: boolean;
  shift: boolean;
  meta: boolean;
  /** The text the key types, when it types any. */
  text?: string;
}

const key = (name: string, mods: Partial<Omit<KeyEvent, "name">> = {}): KeyEvent => ({
  name,
  ctrl: false,
  shift: false,
  meta: false,
  ...mods,
});

const CSI_NAMES: Record<string, string> = {
  A: "up", B: "down", C: "right", D: "left", H: "home", F: "end", P: "f1", Q: "f2", R: "f3", S: "f4",
};
const TILDE_NAMES: Record<string, string> = {
  "1": "home", "2": "insert", "3": "delete", "4": "end", "5": "pageup", "6": "pagedown", "7": "home", "8": "end",
  "11": "f1", "12": "f2", "13": "f3", "14": "f4", "15": "f5", "17": "f6", "18": "f7", "19": "f8", "20": "f9",
  "21": "f10", "23": "f11", "24": "f12",
};

function modifiers(param: string | undefined): Partial<KeyEvent> {
  const bits = Math.max(0, Number(param ?? "1") - 1);
  return { shift: (bits & 1) !== 0, meta: (bits & 2) !== 0 || (bits & 32) !== 0, ctrl: (bits & 4) !== 0 };
}

/** A key given by its code point (kitty protocol, xterm modifyOtherKeys). */
function codepointKey(code: number, mods: Partial<KeyEvent>): KeyEvent {
  if (code === 13) return key("enter", mods);
  if (code === 9) return key("tab", mods);
  if (code === 27) return key("escape", mods);
  if (code === 127 || code === 8) return key("backspace", mods);
  if (code === 32) return key("space", { ...mods, ...(mods.ctrl || mods.meta ? {} : { text: " " }) });
  const char = String.fromCodePoint(code);
  const typed = mods.ctrl || mods.meta ? {} : { text: mods.shift ? char.toUpperCase() : char };
  return key(mods.shift && !mods.ctrl ? char.toUpperCase() : char, { ...mods, ...typed });
}

function parseEscape(seq: string): KeyEvent {
  if (seq === "\x1b" || seq === "\x1b\x1b") return key("escape");
  // The patterns below read what follows the ESC ("" when there is none: nothing matches).
  const rest = seq.startsWith("\x1b") ? seq.slice(1) : "";
  let match = /^\[(\d+)(?:;(\d+))?(?::\d+)?(?:;[\d:]*)?u$/.exec(rest);
  if (match) return codepointKey(Number(match[1]), modifiers(match[2]));
  match = /^\[27;(\d+);(\d+)~$/.exec(rest);
  if (match) return codepointKey(Number(match[2]), modifiers(match[1]));
  match = /^\[(\d+)(?:;(\d+))?~$/.exec(rest);
  if (match) return key(TILDE_NAMES[match[1]!] ?? "unknown", modifiers(match[2]));
  match = /^\[(?:1;(\d+))?([A-Z])$/.exec(rest);
  if (match) {
    if (match[2] === "Z") return key("tab", { shift: true });
    return key(CSI_NAMES[match[2]!] ?? "unknown", modifiers(match[1]));
  }
  match = /^O([A-Z])$/.exec(rest);
  if (match) return key(CSI_NAMES[match[1]!] ?? "unknown");
  match = /^\[\[([A-E])$/.exec(rest);
  if (match) return key(`f${"ABCDE".indexOf(match[1]!) + 1}`);
  if (seq.length >= 2 && !seq.startsWith("\x1b[") && !seq.startsWith("\x1bO")) {
    // Alt/Meta + key arrives as ESC followed by the key.
    const [inner] = parsePlain(seq.slice(1));
    if (inner) return key(inner.name, { ctrl: inner.ctrl, shift: inner.shift, meta: true });
  }
  return key("unknown");
}

function controlKey(char: string): KeyEvent | null {
  const code = char.codePointAt(0)!;
  if (char === "\r") return key("enter");
  if (char === "\n") return key("j", { ctrl: true }); // Ctrl+J (and Ctrl+Enter on some terminals)
  if (char === "\t") return key("tab");
  if (char === "\x7f" || char === "\b") return key("backspace");
  if (char === "\x1b") return key("escape");
  if (code === 0) return key("space", { ctrl: true });
  if (code < 27) return key(String.fromCharCode(code + 96), { ctrl: true });
  if (code < 32 || (code >= 0x7f && code <= 0x9f)) return key("unknown");
  return null;
}

function parsePlain(input: string): KeyEvent[] {
  const events: KeyEvent[] = [];
  let run = "";
  const flushRun = (): void => {
    if (run === "") return;
    if ([...run].length === 1) {
      events.push(run === " " ? key("space", { text: " " }) : key(run, { text: run, shift: /^[A-Z]$/.test(run) }));
    } else {
      events.push(key("text", { text: run }));
    }
    run = "";
  };
  for (const char of input) {
    const control = controlKey(char);
    if (control) {
      flushRun();
      events.push(control);
    } else {
      run += char;
    }
  }
  flushRun();
  return events;
}

/** Parses one chunk that Ink's input parser emitted (outside a paste: see createKeyReader). */
export function parseKeys(input: string): KeyEvent[] {
  if (input.startsWith("\x1b") && input.length > 1) return [parseEscape(input)];
  return parsePlain(input);
}

/** A multi-character text event split into one key per character (for non-text contexts). */
export function splitText(event: KeyEvent): KeyEvent[] {
  if (event.name !== "text" || !event.text) return [event];
  return [...event.text].flatMap((char) => parsePlain(char));
}

// Bracketed paste (the terminal marks pasted text): a paste is text, never keys — a pasted line
// break is not Ctrl+J (publish), a pasted "q" is not quit.
export const BRACKETED_PASTE_ON = "\x1b[?2004h";
export const BRACKETED_PASTE_OFF = "\x1b[?2004l";
const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";

/** Line breaks as LF, tabs kept; escape sequences and other control characters (which no
 * field takes) dropped, and so is a final line break. */
export function cleanPaste(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    // eslint-disable-next-line no-control-regex -- because a CSI sequence starts with ESC: matching it is the point
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "") // CSI: colours, keys
    // eslint-disable-next-line no-control-regex -- because an OSC sequence is ESC ] ... BEL or ESC \\: matching them is the point
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, "") // OSC: titles, links
    // eslint-disable-next-line no-control-regex -- because a lone ESC (and its next character) is what this drops
    .replace(/\x1b[ -~]?/g, "") // ESC and the character after it
    .replace(/[\p{Cc}--[\t\n]]/gv, "") // control characters but tab and LF
    .replace(/\n+$/, "");
}

/** A paste whose end marker has not come after this long is taken as ended. */
export const PASTE_IDLE_MS = 300;

export interface KeyReader {
  /** The key events of one chunk Ink emitted. */
  read(chunk: string): KeyEvent[];
  /** A paste has started and its end marker has not come yet. */
  inPaste(): boolean;
  /** Ends an unfinished paste with what has arrived (see PASTE_IDLE_MS). */
  endPaste(): KeyEvent[];
}

/**
 * Turns the chunks Ink emits into key events, holding a bracketed paste together as one
 * "paste" event. The markers are found in what has arrived, not as whole chunks: a read can
 * end inside one, and Ink then emits the pieces apart.
 */
export function createKeyReader(): KeyReader {
  let paste: string | null = null;
  const finish = (): KeyEvent[] => {
    const text = cleanPaste(paste ?? "");
    paste = null;
    return text === "" ? [] : [key("paste", { text })];
  };
  const read = (chunk: string): KeyEvent[] => {
    if (paste === null) {
      const start = chunk.indexOf(PASTE_START);
      if (start === -1) return parseKeys(chunk);
      const before = chunk.slice(0, start); // an Escape pressed just before, in the same read
      paste = "";
      return [...(before === "" ? [] : parseKeys(before)), ...read(chunk.slice(start + PASTE_START.length))];
    }
    // A lone Ctrl+C is a key press, not pasted text: it ends the paste and quits as ever.
    if (chunk === "\x03") return [...finish(), ...parseKeys(chunk)];
    paste += chunk;
    const end = paste.indexOf(PASTE_END);
    if (end === -1) return [];
    const rest = paste.slice(end + PASTE_END.length);
    paste = paste.slice(0, end);
    return [...finish(), ...(rest === "" ? [] : read(rest))];
  };
  return { read, inPaste: () => paste !== null, endPaste: finish };
}
