// Last-writer-wins timestamps from the wall clock, as naive stores take them (eventual-kv, quorum-kv's lww mode).

/**
 * A stamp source: Date.now() in thousandths of a millisecond, counting writes within one millisecond so two
 * writes here never share a stamp. It follows the (skewable) clock wherever it goes, backwards too: that is
 * what exposes last-writer-wins to clock skew.
 */
export function wallStampSource(): () => number {
  let lastMs = 0;
  let inSameMs = 0;
  return () => {
    const now = Date.now();
    inSameMs = now === lastMs ? inSameMs + 1 : 0;
    lastMs = now;
    return now * 1000 + Math.min(inSameMs, 999);
  };
}
