// Whether the server answers, for screens that would otherwise look fine until a submit
// fails: probes /health at once (with the usual request timeout), and while it cannot be
// reached keeps probing with back-off until it answers.
import { useEffect, useState } from "react";
import { ApiError, unreachableMessage } from "../api-errors.js";
import { useServices } from "../app/services.js";

/** Waits between probes while the server is unreachable: doubling, at most the last. */
export const PROBE_BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000] as const;

/** "Can't reach server at …" while the server is known to be unreachable, else null. */
export function useServerProbe(active: boolean): string | null {
  const { api } = useServices();
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const probe = async (attempt: number): Promise<void> => {
      try {
        await api.health();
        if (!stopped) setProblem(null);
        return;
      } catch (error) {
        if (stopped) return;
        // Any answer, even a 503 (its database is down), means the server is there.
        if (!(error instanceof ApiError && (error.kind === "network" || error.kind === "timeout"))) {
          setProblem(null);
          return;
        }
        setProblem(unreachableMessage(api.baseUrl));
      }
      const wait = PROBE_BACKOFF_MS[Math.min(attempt, PROBE_BACKOFF_MS.length - 1)]!;
      timer = setTimeout(() => void probe(attempt + 1), wait);
    };
    void probe(0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, active]);
  return active ? problem : null;
}
