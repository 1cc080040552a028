// What the command line reads: all of stdin (a post), its first line (a password piped in),
// or a line typed at the terminal with or without echo. Nothing here asks anything when
// stdin is not a terminal: callers check `isTTY` first.

/** The input side the command line reads from: process.stdin, or a stand-in in tests. */
export interface InputStream extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Everything until end of input, as UTF-8. */
export async function readAll(input: InputStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** The first line of the input (without its line ending); the rest is not read. */
export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? "";
}

export class InputCancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/**
 * One line typed at the terminal, after `prompt` on stderr (stdout stays for the result).
 * `echo: false` shows nothing of what is typed (a password). Ctrl+C or Ctrl+D on an empty
 * line cancels; Backspace edits.
 */
export function promptLine(input: InputStream, output: NodeJS.WritableStream, prompt: string, echo: boolean): Promise<string> {
  output.write(prompt);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let line = "";
    const finish = (error: Error | null) => {
      input.removeListener("data", onData);
      input.setRawMode?.(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of typeof chunk === "string" ? chunk : chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish(null);
        if (char === "\u0003" || (char === "\u0004" && line === "")) return finish(new InputCancelled());
        if (char === "\u007f" || char === "\b") {
          const chars = [...line];
          if (chars.length > 0 && echo) output.write("\b \b");
          line = chars.slice(0, -1).join("");
        } else if (char >= " ") {
          line += char;
          if (echo) output.write(char);
        }
      }
    };
    input.on("data", onData);
  });
}
