// Fault colours and labels as the timeline and the charts draw them: each window carries its kind's colour (from
// its fault package, see results/report/faultStyle.ts), so a band reads the same in both and in every report.
// Labels of overlapping windows are stacked in rows (placeLabels), never drawn over one another.
import type { ReportFaultWindow } from '../model.ts';

export { placeLabels } from '../faultStyle.ts';

/** Each fault kind once, with its colour, in order of first appearance: the legend. */
export function faultLegend(faults: readonly ReportFaultWindow[]): { fault: string; color: string }[] {
  const seen = new Map<string, string>();
  for (const w of faults) if (!seen.has(w.fault)) seen.set(w.fault, w.color);
  return [...seen].map(([fault, color]) => ({ fault, color }));
}

export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** The text cut with an ellipsis to fit `width` px. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : `${text.slice(0, lo)}…`;
}
