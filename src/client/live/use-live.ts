// The app's one live stream, for as long as someone is logged in: follows the timeline last
// shown (home or global) and hands every event to the shell. Returns whether live updates
// have been paused long enough to say so.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { ApiClient } from "../api-client.js";
import { LIVE_TIMING, LiveStream, type LiveEvent, type LiveTiming } from "./live-stream.js";

export const PAUSED_MESSAGE = "Live updates paused — reconnecting…";

export function useLive(opts: {
  api: ApiClient;
  enabled: boolean;
  timeline: "home" | "global";
  onEvent: (event: LiveEvent) => void;
  timing?: LiveTiming;
}): boolean {
  const [paused, setPaused] = useState(false);
  // The latest handler, so a new render's closures never reconnect the stream.
  const onEvent = useRef(opts.onEvent);
  useLayoutEffect(() => {
    onEvent.current = opts.onEvent;
  });
  const { api, enabled, timeline } = opts;
  const timing = opts.timing ?? LIVE_TIMING;
  // The stream of the timeline shown next resumes where this one stopped, so what was
  // written during the switch (or, for the other timeline, while it was away) is not lost.
  const resumeFrom = useRef<{ api: ApiClient; id: string | null }>({ api, id: null });
  useEffect(() => {
    if (!enabled) {
      resumeFrom.current = { api, id: null }; // logged out: the next account starts afresh
      return;
    }
    const from = resumeFrom.current.api === api ? resumeFrom.current.id : null;
    const live = new LiveStream(api, timeline, { event: (e) => onEvent.current(e), paused: setPaused }, timing, from);
    live.start();
    return () => {
      resumeFrom.current = { api, id: live.resumeId };
      live.stop();
      setPaused(false);
    };
  }, [api, enabled, timeline, timing]);
  return paused;
}
