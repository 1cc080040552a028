// The status line's message: errors, confirmations and progress, replacing the key hints
// until about 5 seconds have passed or the next key is pressed.
import { useCallback, useEffect, useRef, useState } from "react";

export type StatusKind = "error" | "success" | "progress" | "info";

export interface StatusMessage {
  kind: StatusKind;
  text: string;
}

export const STATUS_TIMEOUT_MS = 5_000;

export interface StatusApi {
  message: StatusMessage | null;
  show(kind: StatusKind, text: string): void;
  /** Shows progress until the returned function is called. */
  progress(text: string): () => void;
  /** A key was pressed: finished messages give way to the hints. */
  dismiss(): void;
}

export function useStatus(timeoutMs = STATUS_TIMEOUT_MS): StatusApi {
  const [message, setMessage] = useState<StatusMessage | null>(null);
  const timer = useRef<NodeJS.Timeout | null>(null);
  const shownAt = useRef(0);

  const clearTimer = (): void => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => clearTimer, []);

  const show = useCallback(
    (kind: StatusKind, text: string) => {
      clearTimer();
      shownAt.current = Date.now();
      setMessage({ kind, text });
      if (kind !== "progress") {
        timer.current = setTimeout(() => setMessage((m) => (m?.kind === "progress" ? m : null)), timeoutMs);
      }
    },
    [timeoutMs],
  );

  const progress = useCallback(
    (text: string) => {
      show("progress", text);
      return () => setMessage((m) => (m?.kind === "progress" && m.text === text ? null : m));
    },
    [show],
  );

  const dismiss = useCallback(() => {
    setMessage((m) => (m === null || m.kind === "progress" ? m : null));
  }, []);

  return { message, show, progress, dismiss };
}
