// PGlite's clock (WebAssembly's) ticks in whole milliseconds: posts written within one would
// share a created_at and page in id order, not the order they were written, and every
// timestamp would end in 000. On the embedded database the server stamps posts itself.

/** Re-anchored on the wall clock when the two drift further apart than this (NTP, suspend). */
const MAX_DRIFT_US = 1_000_000;

/**
 * Wall-clock time to the microsecond as RFC 3339 text, strictly increasing within the process:
 * performance.now() (a monotonic clock with sub-microsecond steps) counted from an anchor on
 * Date.now(), and a reading not past the last one moved just after it.
 */
export function microsecondClock(): () => string {
  const anchor = () => Date.now() * 1000 - performance.now() * 1000;
  let base = anchor();
  let last = 0;
  return () => {
    let us = Math.floor(base + performance.now() * 1000);
    if (Math.abs(us - Date.now() * 1000) > MAX_DRIFT_US) {
      base = anchor();
      us = Math.floor(base + performance.now() * 1000);
    }
    if (us <= last) us = last + 1;
    last = us;
    const seconds = Math.floor(us / 1_000_000);
    return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, "0")}Z`;
  };
}
