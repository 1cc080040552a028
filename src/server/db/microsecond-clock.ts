// PGlite's clock (WebAssembly's) ticks in whole milliseconds: posts written within one would
// share a created_at and page in id order, not the order they were written, and every
// timestamp would end in 000. On the embedded database the server stamps posts itself.

/**
 * Wall-clock time to the microsecond as RFC 3339 text, strictly increasing within the process:
 * Date.now() keeps it on the wall clock, performance.now() gives the digits below the
 * millisecond, and a reading not past the last one is moved just after it.
 */
export function microsecondClock(): () => string {
  let last = 0;
  return () => {
    let us = Date.now() * 1000 + Math.floor((performance.now() * 1000) % 1000);
    if (us <= last) us = last + 1;
    last = us;
    const ms = Math.floor(us / 1000);
    return `${new Date(ms).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, "0")}Z`;
  };
}
