// What happened to every element of a grow-only set, per key, after Jepsen's set-full checker: adds of unique
// elements and reads of the whole set. An element is known once its add is acknowledged or a read returns it;
// from then on only reads that began after that moment judge it (a concurrent read may miss it legally):
//   stable     - the last of those reads contains it (stale too if one of them missed it before),
//   lost       - every one of those reads from some point on misses it, up to the last read of the key,
//   never-read - no read began after it was known, so nothing can be said.
// Also: elements read but never added (phantom), read although their only add failed (aborted), read
// before their add was even invoked, or read twice in one read (duplicate). Linear in the size of the reads.
import type { Operation, Value } from '../history.ts';
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

type ElementId = number | string;

/** Numbers stay numbers (cheap map keys); everything else goes canonical, so strings never meet numbers. */
function elementId(v: Value): ElementId {
  return typeof v === 'number' ? v : canonicalKey(v);
}

interface ElementState {
  value: Value;
  add: Operation | null;
  okAdd: Operation | null;
  attempted: boolean;
  /** Earliest call among its non-failed adds, for read-before-add. */
  earliestCall: number;
  knownAt: number;
  lastSeen: number;
  presentAfter: number;
  lastPresentAfter: number;
}

export function analyseSet(operations: readonly Operation[]): SetAnalysis {
  const byKey = new Map<string, Operation[]>();
  const otherOps: Operation[] = [];
  for (const op of operations) {
    if (op.f !== 'add' && op.f !== 'read') {
      otherOps.push(op);
      continue;
    }
    const k = op.key ?? '';
    let list = byKey.get(k);
    if (list === undefined) byKey.set(k, (list = []));
    list.push(op);
  }
  const keys = [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, ops]) => analyseKey(k, ops));
  return { keys, otherOps };
}

function analyseKey(key: string, ops: readonly Operation[]): SetKeyAnalysis {
  const elements = new Map<ElementId, ElementState>();
  const failedOnly = new Map<ElementId, Operation>();
  const problems: SetProblem[] = [];
  for (const op of ops) {
    if (op.f !== 'add') continue;
    const id = elementId(op.input);
    if (op.status === 'fail') {
      if (!failedOnly.has(id)) failedOnly.set(id, op);
      continue;
    }
    let e = elements.get(id);
    if (e === undefined) {
      e = {
        value: op.input,
        add: op,
        okAdd: null,
        attempted: true,
        earliestCall: op.call,
        knownAt: Infinity,
        lastSeen: -1,
        presentAfter: 0,
        lastPresentAfter: -1,
      };
      elements.set(id, e);
    }
    e.earliestCall = Math.min(e.earliestCall, op.call);
    if (op.status === 'ok' && (e.okAdd === null || op.ret < e.okAdd.ret)) {
      e.okAdd = op;
      e.add = op;
      e.knownAt = Math.min(e.knownAt, op.ret);
    }
  }
  for (const id of elements.keys()) failedOnly.delete(id);

  let nullReads = 0;
  const reads: { op: Operation; ids: ElementId[] }[] = [];
  for (const op of ops) {
    if (op.f !== 'read' || op.status !== 'ok') continue;
    if (op.output === null) {
      nullReads++;
      continue;
    }
    if (!Array.isArray(op.output)) {
      problems.push({ type: 'malformed-read', key, element: op.output, readOp: op.id, addOp: null });
      continue;
    }
    reads.push({ op, ids: op.output.map(elementId) });
  }
  reads.sort((a, b) => a.op.call - b.op.call || a.op.id - b.op.id);

  // Pass 1: when each element became known, the problems a single read shows, and where it was last seen.
  const phantoms = new Set<ElementId>();
  reads.forEach(({ op, ids }, position) => {
    const seen = new Set<ElementId>();
    ids.forEach((id, i) => {
      const value = (op.output as Value[])[i]!;
      if (seen.has(id)) {
        problems.push({
          type: 'duplicate',
          key,
          element: value,
          readOp: op.id,
          addOp: elements.get(id)?.add?.id ?? null,
        });
        return;
      }
      seen.add(id);
      const e = elements.get(id);
      if (e === undefined) {
        if (phantoms.has(id)) return;
        const failed = failedOnly.get(id);
        problems.push({
          type: failed === undefined ? 'phantom' : 'aborted',
          key,
          element: value,
          readOp: op.id,
          addOp: failed?.id ?? null,
        });
        phantoms.add(id);
        return;
      }
      if (op.ret < e.earliestCall && e.lastSeen === -1) {
        problems.push({ type: 'read-before-add', key, element: value, readOp: op.id, addOp: e.add!.id });
      }
      if (op.ret < e.knownAt) e.knownAt = op.ret;
      e.lastSeen = position;
    });
  });

  // Pass 2: reads that began after the element was known and still returned it.
  reads.forEach(({ op, ids }, position) => {
    for (const id of ids) {
      const e = elements.get(id);
      if (e === undefined || !(op.call > e.knownAt)) continue;
      if (e.lastPresentAfter === position) continue; // a duplicate within this read
      e.presentAfter++;
      e.lastPresentAfter = position;
    }
  });

  const calls = reads.map((r) => r.op.call);
  const reports: SetElementReport[] = [];
  let unobservedIndeterminateAdds = 0;
  for (const e of elements.values()) {
    if (e.knownAt === Infinity) {
      unobservedIndeterminateAdds++;
      continue;
    }
    const firstAfter = firstGreater(calls, e.knownAt);
    const readsAfterKnown = reads.length - firstAfter;
    let outcome: SetOutcome;
    let firstMissing: number | null = null;
    if (readsAfterKnown === 0) outcome = 'never-read';
    else if (e.lastPresentAfter === -1) {
      outcome = 'lost';
      firstMissing = firstAfter;
    } else if (e.lastPresentAfter < reads.length - 1) {
      outcome = 'lost';
      firstMissing = e.lastPresentAfter + 1;
    } else outcome = 'stable';
    const seenRead = e.lastSeen >= 0 ? reads[e.lastSeen]!.op : null;
    reports.push({
      key,
      element: e.value,
      outcome,
      stale: outcome === 'stable' && e.presentAfter < readsAfterKnown,
      recovered: e.okAdd === null,
      addOp: e.add!.id,
      acknowledgedAt: e.okAdd?.ret ?? null,
      knownAt: e.knownAt,
      lastSeenOp: seenRead?.id ?? null,
      lastSeenAt: seenRead?.call ?? null,
      firstMissingOp: firstMissing === null ? null : reads[firstMissing]!.op.id,
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
