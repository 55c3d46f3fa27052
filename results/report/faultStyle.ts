// How the report names and colours a fault window: as its fault package wrote it into the history (a label in
// words, one colour per kind). Histories from before fault packages, and external ones, carry neither: their
// label is the raw value, and their colour one of a fixed palette picked by the kind's name, so a kind still
// has the same colour in every such report. (The store index draws a run's kinds in the colours its results.json
// recorded from the history, so results/ keeps no copy of the packages' colours.)
import type { FaultWindow } from '../../checkers/history.ts';

const palette = ['#d9534f', '#7b61ff', '#1f9bd1', '#e08a1e', '#3a9e5c', '#c2459c', '#6b7a8f', '#8c6d1f'];

/** A kind's colour where no event or results.json gave one: one of a palette by its name, everywhere. */
export function fallbackFaultColor(kind: string): string {
  let h = 0;
  for (const ch of kind) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return palette[h % palette.length]!;
}

function rawLabel(w: FaultWindow): string {
  if (w.value === null) return w.fault;
  const text = typeof w.value === 'string' ? w.value : JSON.stringify(w.value);
  return `${w.fault}: ${text.length > 80 ? `${text.slice(0, 79)}…` : text}`;
}

export function faultStyle(w: FaultWindow): { label: string; color: string } {
  const label = w.label ?? rawLabel(w);
  return {
    label: w.error === undefined ? label : `${label} (failed: ${w.error})`,
    color: w.color ?? fallbackFaultColor(w.fault),
  };
}

/** A label to place: where its band starts and ends on screen (px), and how wide the whole text is. */
export interface LabelSpan {
  x0: number;
  x1: number;
  width: number;
}

/** Where a label goes: its row, and how much room it has there (px); room 0 means it is not drawn. */
export interface LabelPlace {
  row: number;
  room: number;
}

const gap = 6;

/**
 * Places labels left to right in up to `rows` rows: each goes in the first row free at its band's start, with
 * room up to its band's end and the next label's start in that row; a label finding no free row is not drawn
 * (its band is, and the fault table lists it). Pure, so the no-overlap rule is tested without a canvas.
 */
export function placeLabels(spans: readonly LabelSpan[], rows: number): LabelPlace[] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.x0 - spans[b]!.x0 || a - b);
  const rowEnd: number[] = Array.from({ length: rows }, () => -Infinity);
  const rowLast: (number | undefined)[] = Array.from({ length: rows }, () => undefined);
  const places: LabelPlace[] = spans.map(() => ({ row: 0, room: 0 }));
  for (const i of order) {
    const s = spans[i]!;
    const row = rowEnd.findIndex((end) => end + gap <= s.x0);
    if (row < 0) continue;
    // The previous label in this row is cut where this one starts.
    const last = rowLast[row];
    if (last !== undefined) {
      const p = places[last]!;
      p.room = Math.max(0, Math.min(p.room, s.x0 - gap - spans[last]!.x0));
    }
    const room = Math.max(0, Math.min(s.width, s.x1 - s.x0));
    places[i] = { row, room };
    rowEnd[row] = s.x0 + room;
    rowLast[row] = i;
  }
  return places;
}
