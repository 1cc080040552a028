// Re-renders once a minute so relative times ("now", "5m") stay true on an idle screen.
import { useEffect, useState } from "react";

export function useMinuteTick(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 60_000);
    timer.unref?.();
    return () => clearInterval(timer);
  }, []);
}
