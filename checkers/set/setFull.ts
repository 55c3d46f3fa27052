// What happened to every element of a grow-only set, per key, after Jepsen's set-full checker: adds of unique
// elements and reads of the whole set. An element is known once its add is acknowledged or a read returns it;
// from then on only reads that began after that moment judge it (a concurrent read may miss it legally):
//   stable     - the last of those reads contains it (stale too if one of them missed it before),
//   lost       - every one of those reads from some point on misses it, up to the last read of the key,
//   never-read - no read began after it was known, so nothing can be said.
// Also: elements read but never added (phantom), read although their only add failed (aborted), read
// before their add was even invoked, or read twice in one read (duplicate). Linear in the size of the reads.
import type { Operation, Value } from '../history.ts';
import { splitByKey } from '../history.ts';
import { canonicalKey } from '../models/model.ts';

export type SetOutcome = 'stable' | 'lost' | 'never-read';

export interface SetElementReport {
  key: string;
  element: Value;
  outcome: SetOutcome;
  /** A read that began after the element was known missed it, and a later one had it again. */
  stale: boolean;
  /** Its add was indeterminate (info), yet a read returned it: it happened. */
  recovered: boolean;
  /** The add (the ok one when there is one), by Operation.id. */
  addOp: number;
  /** When the add was acknowledged (ns), or null when it never was (recovered elements). */
  acknowledgedAt: number | null;
  /** When the element was first certainly in the set: acknowledged, or returned by a completed read (ns). */
  knownAt: number;
  /** The latest read (by invocation) that returned it, or null. */
  lastSeenOp: number | null;
  lastSeenAt: number | null;
  /** For lost elements: the first read, after it was known and after it was last seen, that missed it. */
  firstMissingOp: number | null;
  /** Reads that began after the element was known (those that judge it). */
  readsAfterKnown: number;
}

export type SetProblemType = 'phantom' | 'aborted' | 'read-before-add' | 'duplicate' | 'malformed-read';

export interface SetProblem {
  type: SetProblemType;
  key: string;
  element: Value;
  /** The read that returned it, and the add when there is one. */
  readOp: number;
  addOp: number | null;
}

export interface SetKeyAnalysis {
  key: string;
  elements: SetElementReport[];
  problems: SetProblem[];
  reads: number;
  /** Ok reads whose value was null: no information (some stores answer null for an empty set). */
  nullReads: number;
  /** Indeterminate adds no read ever returned: taken as never having happened. */
  unobservedIndeterminateAdds: number;
}

export interface SetAnalysis {
  keys: SetKeyAnalysis[];
  /** Ops that are neither add nor read: the history is not a set history. */
  otherOps: Operation[];
}

export function analyseSet(operations: readonly Operation[]): SetAnalysis {
  const isSetOp = (op: Operation) => op.f === 'add' || op.f === 'read';
  const otherOps = operations.filter((op) => !isSetOp(op));
  const keys = [...splitByKey(operations.filter(isSetOp)).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, ops]) => analyseKey(k, ops));
  return { keys, otherOps };
}

/**
 * Dense element numbers for one key. Small non-negative integers (the workload's elements) go through a flat
 * table, everything else through a map of canonical keys, so strings never meet numbers.
 */
class ElementNumbering {
  private table = new Int32Array(1024);
  private readonly others = new Map<string, number>();
  readonly values: Value[] = [];
  id(v: Value): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1 << 26) {
      if (v >= this.table.length) {
        let size = this.table.length;
        while (size <= v) size *= 2;
        const t = new Int32Array(size);
        t.set(this.table);
        this.table = t;
      }
      const at = this.table[v]!;
      if (at > 0) return at - 1;
      this.table[v] = this.values.length + 1;
      this.values.push(v);
      return this.values.length - 1;
    }
    const k = canonicalKey(v);
    const at = this.others.get(k);
    if (at !== undefined) return at;
    this.others.set(k, this.values.length);
    this.values.push(v);
    return this.values.length - 1;
  }
}

/** Grows typed columns as elements are numbered. */
function grow<T extends Uint8Array | Int32Array | Float64Array>(a: T, n: number, fill: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  b.fill(fill, a.length);
  return b;
}

function analyseKey(key: string, ops: readonly Operation[]): SetKeyAnalysis {
  const numbering = new ElementNumbering();
  // Per element: its add (the ok one when there is one), the failed add when it was only ever failed.
  const add: (Operation | undefined)[] = [];
  const okAdd: (Operation | undefined)[] = [];
  const failedAdd: (Operation | undefined)[] = [];
  let earliestCall = new Float64Array(1024).fill(Infinity);
  let knownAt = new Float64Array(1024).fill(Infinity);
  const problems: SetProblem[] = [];
  for (const op of ops) {
    if (op.f !== 'add') continue;
    const e = numbering.id(op.input);
    earliestCall = grow(earliestCall, e + 1, Infinity);
    knownAt = grow(knownAt, e + 1, Infinity);
    if (op.status === 'fail') {
      failedAdd[e] ??= op;
      continue;
    }
    add[e] ??= op;
    if (op.call < earliestCall[e]!) earliestCall[e] = op.call;
    if (op.status === 'ok' && (okAdd[e] === undefined || op.ret < okAdd[e].ret)) {
      okAdd[e] = op;
      add[e] = op;
      if (op.ret < knownAt[e]!) knownAt[e] = op.ret;
    }
  }

  let nullReads = 0;
  const reads: Operation[] = [];
  for (const op of ops) {
    if (op.f !== 'read' || op.status !== 'ok') continue;
    if (op.output === null) nullReads++;
    else if (Array.isArray(op.output)) reads.push(op);
    else problems.push({ type: 'malformed-read', key, element: op.output, readOp: op.id, addOp: null });
  }
  reads.sort((a, b) => a.call - b.call || a.id - b.id);
  // Per element, grown when a read returns one never added: the last read (by position) that returned it, and
  // where the unbroken run of reads returning it up to that one began. Reads of whole sets add up to 100 M
  // elements and more, so they are walked once and nothing per element of a read is stored.
  let capacity = Math.max(numbering.values.length, 16);
  let hasAdd = new Uint8Array(capacity);
  for (let e = 0; e < numbering.values.length; e++) hasAdd[e] = add[e] === undefined ? 0 : 1;
  let lastSeen = new Int32Array(capacity).fill(-1);
  let runStart = new Int32Array(capacity).fill(-1);
  let reported = new Uint8Array(capacity);
  for (let position = 0; position < reads.length; position++) {
    const op = reads[position]!;
    const out = op.output as readonly Value[];
    const ret = op.ret;
    for (let i = 0; i < out.length; i++) {
      const e = numbering.id(out[i]!);
      if (e >= capacity) {
        capacity = Math.max(e + 1, capacity * 2);
        hasAdd = grow(hasAdd, capacity, 0);
        lastSeen = grow(lastSeen, capacity, -1);
        runStart = grow(runStart, capacity, -1);
        reported = grow(reported, capacity, 0);
        earliestCall = grow(earliestCall, capacity, Infinity);
        knownAt = grow(knownAt, capacity, Infinity);
      }
      const seen = lastSeen[e]!;
      if (seen === position) {
        problems.push({
          type: 'duplicate',
          key,
          element: numbering.values[e]!,
          readOp: op.id,
          addOp: add[e]?.id ?? null,
        });
        continue;
      }
      lastSeen[e] = position;
      if (seen !== position - 1) runStart[e] = position;
      if (hasAdd[e] === 0) {
        if (reported[e]) continue;
        reported[e] = 1;
        const failed = failedAdd[e];
        problems.push({
          type: failed === undefined ? 'phantom' : 'aborted',
          key,
          element: numbering.values[e]!,
          readOp: op.id,
          addOp: failed?.id ?? null,
        });
        continue;
      }
      if (ret < earliestCall[e]! && !reported[e]) {
        reported[e] = 1;
        problems.push({
          type: 'read-before-add',
          key,
          element: numbering.values[e]!,
          readOp: op.id,
          addOp: add[e]!.id,
        });
      }
      if (ret < knownAt[e]!) knownAt[e] = ret;
    }
  }
  const n = numbering.values.length;

  const calls = reads.map((r) => r.call);
  const reports: SetElementReport[] = [];
  let unobservedIndeterminateAdds = 0;
  for (let e = 0; e < n; e++) {
    const theAdd = add[e];
    if (theAdd === undefined) continue;
    const known = knownAt[e]!;
    if (known === Infinity) {
      unobservedIndeterminateAdds++;
      continue;
    }
    const firstAfter = firstGreater(calls, known);
    const readsAfterKnown = reads.length - firstAfter;
    // Reads are in call order, so the reads that judge the element are those from firstAfter on: the last of
    // them that returned it is its last read overall, if that one began after it was known.
    const last = lastSeen[e]! >= firstAfter ? lastSeen[e]! : -1;
    let outcome: SetOutcome;
    let firstMissing: number | null = null;
    if (readsAfterKnown === 0) outcome = 'never-read';
    else if (last === -1) {
      outcome = 'lost';
      firstMissing = firstAfter;
    } else if (last < reads.length - 1) {
      outcome = 'lost';
      firstMissing = last + 1;
    } else outcome = 'stable';
    const seenRead = lastSeen[e]! >= 0 ? reads[lastSeen[e]!]! : null;
    reports.push({
      key,
      element: numbering.values[e]!,
      outcome,
      // Stable: the last read returned it, so a judging read missed it exactly when its final run began later.
      stale: outcome === 'stable' && runStart[e]! > firstAfter,
      recovered: okAdd[e] === undefined,
      addOp: theAdd.id,
      acknowledgedAt: okAdd[e]?.ret ?? null,
      knownAt: known,
      lastSeenOp: seenRead?.id ?? null,
      lastSeenAt: seenRead?.call ?? null,
      firstMissingOp: firstMissing === null ? null : reads[firstMissing]!.id,
      readsAfterKnown,
    });
  }
  return { key, elements: reports, problems, reads: reads.length, nullReads, unobservedIndeterminateAdds };
}

/** The first index whose value is > t in an ascending array (its length when none is). */
function firstGreater(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
