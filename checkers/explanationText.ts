// The small vocabulary every checker's explanation uses, so a person reads one style everywhere: times in
// seconds from the start of the run (history times are nanoseconds since then), values the system returned
// with control characters escaped (a hostile or corrupted value must not rewrite the terminal or the
// report), runs of numbers as ranges, and long cycles cut to their ends. Pure; runs in the browser too.
import type { Operation, Value } from './history.ts';

/** 26512000000 ns -> "26.512 s". `digits` decimals (3 by default: milliseconds). */
export function seconds(ns: number, digits = 3): string {
  if (!Number.isFinite(ns)) return ns > 0 ? 'never' : '-∞';
  return `${(ns / 1e9).toFixed(digits)} s`;
}

/** Two times as one span with one unit: "26.5-38.2 s"; a single time when both round alike. */
export function secondsSpan(fromNs: number, toNs: number, digits = 1): string {
  const a = (fromNs / 1e9).toFixed(digits);
  const b = (toNs / 1e9).toFixed(digits);
  return a === b ? `${a} s` : `${a}-${b} s`;
}

/** 1028 -> "1,028". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 element" / "1,028 elements". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count(n)} ${n === 1 ? singular : pluralForm}`;
}

// C0 and C1 controls, DEL, line/paragraph separators and the bidirectional overrides and isolates, which
// can reorder what a reader sees.
// eslint-disable-next-line no-control-regex
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** Escapes control and direction-changing characters as \n, \t or \uXXXX; everything else is kept. */
export function escapeControl(text: string): string {
  return text.replace(unsafe, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Longest value printed whole; a longer one is cut and its length said. */
export const MAX_VALUE_CHARS = 120;

/**
 * A value as a user reads it: strings bare, everything else as JSON, control characters escaped, and a value
 * longer than `max` characters cut with its full length named (an 18 kB set is never printed whole).
 */
export function showValue(v: Value | undefined, max = MAX_VALUE_CHARS): string {
  const text = escapeControl(typeof v === 'string' ? v : (JSON.stringify(v ?? null) ?? 'undefined'));
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${count(text.length)} characters)`;
}

/**
 * Integers as ranges, sorted: [1,2,3,7,9,10] -> "1-3, 7, 9-10". At most `maxRanges` ranges are written;
 * the rest is counted ("… and 12 more ranges").
 */
export function integerRanges(values: readonly number[], maxRanges = 8): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const ranges: string[] = [];
  let total = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    total++;
    if (ranges.length < maxRanges) ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  if (total > ranges.length) ranges.push(`… and ${plural(total - ranges.length, 'more range')}`);
  return ranges.join(', ');
}

/**
 * Values as a short list: integers as ranges, anything else shown one by one (escaped) up to `maxItems`,
 * the rest counted.
 */
export function valueList(values: readonly Value[], maxItems = 8): string {
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) {
    return integerRanges(values as number[], maxItems);
  }
  const shown = values.slice(0, maxItems).map((v) => showValue(v, 40));
  if (values.length > shown.length) shown.push(`… and ${count(values.length - shown.length)} more`);
  return shown.join(', ');
}

/** How many steps a cycle may have and still be printed whole. */
export const MAX_CYCLE_STEPS = 12;

/**
 * A cycle's steps for an explanation: all of them when there are at most MAX_CYCLE_STEPS, else the first
 * and last few around a count of the ones left out. The caller keeps the whole cycle in `detail`.
 */
export function summariseSteps(steps: readonly string[], max = MAX_CYCLE_STEPS, separator = '; '): string {
  if (steps.length <= max) return steps.join(separator);
  const head = Math.ceil(max / 2);
  const tail = max - head;
  const hidden = steps.length - head - tail;
  return [
    ...steps.slice(0, head),
    `… ${plural(hidden, 'more step')} (all ${count(steps.length)} steps are in the report) …`,
    ...steps.slice(steps.length - tail),
  ].join(separator);
}

/** "op 12 at 3.402 s": how an explanation names an op (Operation.id, the numbering anomalies use). */
export function opAt(op: Pick<Operation, 'id' | 'call'>): string {
  return `op ${op.id} at ${seconds(op.call)}`;
}
