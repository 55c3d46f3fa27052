// The counter checker (Jepsen's counter, Maelstrom's g-counter/pn-counter rule), per key: every ok read must
// lie within what the increments allow at that moment. An add acknowledged before the read began certainly
// counts; an add invoked before the read completed (acknowledged later, or indeterminate) may count or not;
// failed adds never count. So a read r is legal iff
//   lower(r) = Σ certain deltas + Σ negative possible deltas  ≤  value  ≤  Σ certain deltas + Σ positive possible deltas.
// The counter starts at 0; a read of null is read as 0 (a store answering null for an absent key).
// Prefix sums over adds sorted by invocation and by completion: O(n log n).
import type { Operation } from '../history.ts';
import { splitByKey } from '../history.ts';
import type { Anomaly, CheckOptions, CheckResult, ConsistencyChecker } from '../result.ts';
import { historyIndices, timedResult } from '../result.ts';
import { count, escapeControl, opAt, plural, seconds, showValue } from '../explanationText.ts';

export interface CounterReadBounds {
  read: Operation;
  value: number;
  lower: number;
  upper: number;
  /** Adds acknowledged before the read began (they certainly count). */
  certainAdds: number;
  /** Adds invoked before the read completed that may or may not count. */
  possibleAdds: number;
}

export interface CounterKeyAnalysis {
  key: string;
  reads: CounterReadBounds[];
  /** Ok reads whose value is not a number (or null): a violation of any counter. */
  malformedReads: Operation[];
  /** Adds whose delta is not a finite number: the history cannot be judged. */
  malformedAdds: Operation[];
}

export function analyseCounter(operations: readonly Operation[]): CounterKeyAnalysis[] {
  return [...splitByKey(operations).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, ops]) => analyseKey(key, ops));
}

/** Prefix sums of positive and negative parts, over adds sorted by `at`. */
class SortedSums {
  readonly at: Float64Array;
  readonly pos: Float64Array;
  readonly neg: Float64Array;
  constructor(adds: readonly Operation[], time: (o: Operation) => number) {
    const sorted = [...adds].sort((a, b) => time(a) - time(b));
    this.at = Float64Array.from(sorted, time);
    this.pos = new Float64Array(sorted.length + 1);
    this.neg = new Float64Array(sorted.length + 1);
    sorted.forEach((o, i) => {
      const d = o.input as number;
      this.pos[i + 1] = this.pos[i]! + Math.max(0, d);
      this.neg[i + 1] = this.neg[i]! + Math.min(0, d);
    });
  }
  /** How many adds have `at` < t. */
  countBefore(t: number): number {
    let lo = 0;
    let hi = this.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function analyseKey(key: string, ops: readonly Operation[]): CounterKeyAnalysis {
  const adds: Operation[] = [];
  const malformedAdds: Operation[] = [];
  for (const op of ops) {
    if (op.f !== 'add' || op.status === 'fail') continue;
    if (typeof op.input !== 'number' || !Number.isFinite(op.input)) malformedAdds.push(op);
    else adds.push(op);
  }
  const okAdds = adds.filter((o) => o.status === 'ok');
  const byRet = new SortedSums(okAdds, (o) => o.ret);
  const byCall = new SortedSums(adds, (o) => o.call);
  const reads: CounterReadBounds[] = [];
  const malformedReads: Operation[] = [];
  for (const op of ops) {
    if (op.f !== 'read' || op.status !== 'ok') continue;
    const value = op.output === null ? 0 : op.output;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      malformedReads.push(op);
      continue;
    }
    const certain = byRet.countBefore(op.call);
    const invoked = byCall.countBefore(op.ret);
    // Certain adds are among the invoked ones: the possible ones are the rest.
    const lower = byRet.pos[certain]! + byCall.neg[invoked]!;
    const upper = byRet.neg[certain]! + byCall.pos[invoked]!;
    reads.push({ read: op, value, lower, upper, certainAdds: certain, possibleAdds: invoked - certain });
  }
  return { key, reads, malformedReads, malformedAdds };
}

const name = 'counter';
const model = 'counter: reads within the bounds of acknowledged and attempted increments';

/** Linear after sorting: the budgets of CheckOptions are never approached, so they are not consulted. */
export function checkCounter(operations: readonly Operation[], _options: CheckOptions = {}): CheckResult {
  const { stats, done } = timedResult(name, model, operations.length);
  const other = operations.find((o) => o.f !== 'add' && o.f !== 'read');
  if (other !== undefined) {
    return done(
      'unknown',
      [],
      `the counter checker reads add and read ops only, but ${opAt(other)} is a ${escapeControl(other.f)}`,
    );
  }
  const keys = analyseCounter(operations);
  stats['keys'] = keys.length;
  const badAdd = keys.flatMap((k) => k.malformedAdds)[0];
  if (badAdd !== undefined) {
    return done(
      'unknown',
      [],
      `${opAt(badAdd)} adds ${showValue(badAdd.input)}, not a number: the bounds cannot be computed`,
    );
  }
  const anomalies: Anomaly[] = [];
  let reads = 0;
  let outside = 0;
  const multi = keys.length > 1 || (keys[0] !== undefined && keys[0].key !== '');
  for (const k of keys) {
    reads += k.reads.length;
    const of = multi ? ` of counter ${escapeControl(k.key)}` : '';
    const bad = k.reads.filter((r) => r.value < r.lower || r.value > r.upper);
    outside += bad.length;
    if (bad.length > 0) anomalies.push(boundsAnomaly(k.key, bad, of));
    if (k.malformedReads.length > 0) {
      const r = k.malformedReads[0]!;
      anomalies.push(
        withKey(k.key, {
          type: 'malformed-read',
          ops: k.malformedReads.slice(0, 100).map((o) => o.id),
          indices: historyIndices(k.malformedReads.slice(0, 100)),
          explanation: `${plural(k.malformedReads.length, 'read')}${of} returned something other than a number: the read ${opAt(r)} returned ${showValue(r.output)}`,
        }),
      );
    }
  }
  stats['reads'] = reads;
  stats['readsOutOfBounds'] = outside;
  if (anomalies.length > 0) return done(false, anomalies);
  if (reads === 0) return done('unknown', [], 'no read completed, so no counter value could be checked');
  return done(true, []);
}

/** At most this many out-of-bounds reads are listed in an anomaly's detail. */
const MAX_DETAIL_READS = 1000;

function boundsAnomaly(key: string, bad: readonly CounterReadBounds[], of: string): Anomaly {
  const first = bad[0]!;
  const side = first.value < first.lower ? 'below' : 'above';
  const why =
    side === 'below'
      ? `${plural(first.certainAdds, 'add')} acknowledged before it began make at least ${count(first.lower)}`
      : `the ${plural(first.certainAdds + first.possibleAdds, 'add')} invoked before it completed make at most ${count(first.upper)}`;
  const more = bad.length > 1 ? `; ${count(bad.length - 1)} more reads out of bounds` : '';
  return withKey(key, {
    type: side === 'below' ? 'counter-read-too-low' : 'counter-read-too-high',
    ops: bad.slice(0, MAX_DETAIL_READS).map((b) => b.read.id),
    indices: historyIndices(bad.slice(0, 10).map((b) => b.read)),
    explanation: `${plural(bad.length, 'read')}${of} outside the bounds the increments allow: the read ${opAt(first.read)} returned ${count(first.value)}, ${side} the bounds [${count(first.lower)}, ${count(first.upper)}] (${why})${more}`,
    detail: {
      reads: bad.slice(0, MAX_DETAIL_READS).map((b) => ({
        readOp: b.read.id,
        atS: Number((b.read.call / 1e9).toFixed(3)),
        value: b.value,
        lower: b.lower,
        upper: b.upper,
      })),
      omitted: Math.max(0, bad.length - MAX_DETAIL_READS),
      firstAt: seconds(first.read.call),
    },
  });
}

function withKey(key: string, a: Anomaly): Anomaly {
  if (key !== '') a.key = key;
  return a;
}

/** Counter histories: adds and reads only, at least one add, and no read returning a list (that is a set). */
export function isCounterHistory(operations: readonly Operation[]): boolean {
  let adds = 0;
  for (const op of operations) {
    if (op.f === 'add') adds++;
    else if (op.f !== 'read') return false;
    else if (op.status === 'ok' && Array.isArray(op.output)) return false;
  }
  return adds > 0;
}

export const counterChecker: ConsistencyChecker = {
  name,
  model,
  description:
    'Counter, per key: every read between the sum of increments acknowledged before it began and the sum of those invoked before it ended (info increments may count or not)',
  appliesTo: isCounterHistory,
  check: (operations, options) => checkCounter(operations, options),
};
