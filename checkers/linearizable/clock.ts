// How explanations state times: seconds from the history's first invoke (times are nanoseconds), or, for
// formats that record no real time (Porcupine logs, dbcop, Knossos without :time), the event's position.
import type { Operation } from '../history.ts';

export interface Clock {
  /** e.g. "5.296 s", "the start", "never". */
  at(time: number): string;
  /** An op's interval, e.g. "1.441-1.600 s", or "from 1.441 s, outcome unknown". */
  span(op: Operation): string;
}

/** Histories spanning less than this many time units are taken to count events, not nanoseconds. */
const minNanosecondSpan = 1_000_000;

export function clockFor(ops: readonly Operation[], origin: number): Clock {
  let latest = origin;
  for (const op of ops) {
    if (op.call > latest) latest = op.call;
    if (op.ret !== Infinity && op.ret > latest) latest = op.ret;
  }
  const seconds = latest - origin >= minNanosecondSpan;
  const at = (t: number): string => {
    if (t === -Infinity) return 'the start';
    if (t === Infinity) return 'never';
    return seconds ? `${((t - origin) / 1e9).toFixed(3)} s` : `time ${t - origin}`;
  };
  return {
    at,
    span(op) {
      // An indeterminate op's return may have been bounded by its first observer (indeterminate.ts).
      if (op.ret === Infinity || op.status === 'info') return `from ${at(op.call)}, outcome unknown`;
      if (!seconds) return `${at(op.call)}-${op.ret - origin}`;
      return `${((op.call - origin) / 1e9).toFixed(3)}-${((op.ret - origin) / 1e9).toFixed(3)} s`;
    },
  };
}
