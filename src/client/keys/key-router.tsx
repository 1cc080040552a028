// One keyboard listener for the whole app. Layers (global < view < overlay < help < screen)
// register handlers; a key goes to the highest layer first and falls through while unhandled.
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { useStdin } from "ink";
import { createKeyReader, PASTE_IDLE_MS, splitText, type KeyEvent } from "./parse-key.js";

export type KeyHandler = (event: KeyEvent) => boolean;

/** `always`: keys that act whatever has focus, even while typing (Ctrl+L redraws). */
export const LAYER = { global: 0, view: 10, overlay: 20, help: 30, screen: 40, always: 50 } as const;

interface Entry {
  id: number;
  layer: number;
  handler: { current: KeyHandler };
}

interface Router {
  register(entry: Entry): () => void;
}

const RouterContext = createContext<Router | null>(null);

export function KeyRouterProvider(props: {
  children: ReactNode;
  /** Ctrl+C: always quits, whatever has focus. */
  onInterrupt: () => void;
  /** Every key press, before it is handled (the status line forgets old messages). */
  onAnyKey?: () => void;
}): ReactNode {
  const { internal_eventEmitter: emitter, setRawMode, isRawModeSupported } = useStdin();
  const entries = useRef<Entry[]>([]);
  const callbacks = useRef(props);
  // The latest callbacks, for the input listener registered once below.
  useLayoutEffect(() => {
    callbacks.current = props;
  });
  const queue = useRef<KeyEvent[]>([]);
  const draining = useRef(false);

  // One router for the provider's life: the context value never changes.
  const [router] = useState<Router>(() => ({
    register(entry) {
      entries.current = [...entries.current, entry].sort((a, b) => b.layer - a.layer || b.id - a.id);
      return () => {
        entries.current = entries.current.filter((e) => e !== entry);
      };
    },
  }));

  useEffect(() => {
    const dispatch = (event: KeyEvent): void => {
      if (event.ctrl && event.name === "c") {
        callbacks.current.onInterrupt();
        return;
      }
      callbacks.current.onAnyKey?.();
      for (const entry of entries.current) {
        if (entry.handler.current(event)) return;
      }
      // Nobody takes a run of typed text as a whole: replay it key by key (never a paste).
      if (event.name === "text") queue.current.unshift(...splitText(event));
    };
    // One key per timer tick: React schedules its render with setImmediate, so a timer
    // lets the previous key's render land first (handlers that edit text also read live
    // state, so they do not depend on this).
    const drain = (): void => {
      const next = queue.current.shift();
      if (!next) {
        draining.current = false;
        return;
      }
      dispatch(next);
      setTimeout(drain, 0);
    };
    const reader = createKeyReader();
    let pasteTimer: NodeJS.Timeout | undefined;
    const enqueue = (events: KeyEvent[]): void => {
      queue.current.push(...events);
      if (draining.current) return;
      draining.current = true;
      drain();
    };
    const onInput = (raw: string): void => {
      clearTimeout(pasteTimer);
      const events = reader.read(raw);
      // A paste whose end marker never comes must not hold the keyboard.
      if (reader.inPaste()) pasteTimer = setTimeout(() => enqueue(reader.endPaste()), PASTE_IDLE_MS);
      enqueue(events);
    };
    if (isRawModeSupported) setRawMode(true);
    emitter.on("input", onInput);
    return () => {
      clearTimeout(pasteTimer);
      emitter.off("input", onInput);
      if (isRawModeSupported) setRawMode(false);
    };
  }, [emitter, setRawMode, isRawModeSupported]);

  return <RouterContext.Provider value={router}>{props.children}</RouterContext.Provider>;
}

let nextId = 1;

/** Registers a handler on a layer while `active`; returns true from it to stop the key. */
export function useKeyHandler(layer: number, handler: KeyHandler, active = true): void {
  const router = useContext(RouterContext);
  const ref = useRef(handler);
  // The latest handler, assigned at commit before the registration below reads it.
  useLayoutEffect(() => {
    ref.current = handler;
  });
  // Layout effect: registered at commit, so a key arriving right after a render that
  // opened a view or overlay already reaches it.
  useLayoutEffect(() => {
    if (!router || !active) return;
    return router.register({ id: nextId++, layer, handler: ref });
  }, [router, layer, active]);
}
