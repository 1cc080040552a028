// Virtual scrolling: which card is first on screen, computed from the selection and the
// measured heights of the cards between — never from the whole list — so the cost of a
// key press does not grow with the number of posts loaded.

/** The first visible index that keeps `selected` fully in view (if it fits at all). */
export function ensureVisible(opts: {
  selected: number;
  top: number;
  count: number;
  viewport: number;
  heightOf: (index: number) => number;
  /** Lines shown after the last item (spinner, end marker). */
  footer?: number;
}): number {
  const { selected, count, viewport, heightOf } = opts;
  if (count === 0) return 0;
  let top = Math.min(Math.max(0, opts.top), count - 1);
  if (selected < top) return selected;
  const footer = selected === count - 1 ? (opts.footer ?? 0) : 0;
  let used = footer;
  for (let i = top; i <= selected; i++) used += heightOf(i);
  while (used > viewport && top < selected) {
    used -= heightOf(top);
    top++;
  }
  return top;
}

/** How many items a page key moves: as many as fill the viewport from `from` onwards. */
export function pageSize(opts: { from: number; count: number; viewport: number; heightOf: (i: number) => number; direction: 1 | -1 }): number {
  let used = 0;
  let moved = 0;
  for (let i = opts.from; i >= 0 && i < opts.count; i += opts.direction) {
    used += opts.heightOf(i);
    if (used > opts.viewport) break;
    moved++;
  }
  return Math.max(1, moved);
}
