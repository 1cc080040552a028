// useState whose latest value is also readable at once through a ref. Key handlers read
// the ref, so several keys arriving in one chunk (a paste, tmux send-keys, fast typing)
// each build on the previous one even before React has rendered in between.
import { useCallback, useRef, useState } from "react";

export type LiveSetter<T> = (next: T | ((previous: T) => T)) => void;

export function useLiveState<T>(initial: T | (() => T)): [T, LiveSetter<T>, { readonly current: T }] {
  const [state, setState] = useState(initial);
  const ref = useRef(state);
  const set = useCallback<LiveSetter<T>>((next) => {
    const value = typeof next === "function" ? (next as (previous: T) => T)(ref.current) : next;
    ref.current = value;
    setState(value);
  }, []);
  return [state, set, ref];
}
