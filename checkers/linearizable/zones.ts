// Read/write registers whose writes all wrote distinct values: decided in O(n log n) by zones
// (checking.md §1.5; Gibbons & Korach 1997, Golab, Li & Shah 2011).
import type { Operation, Value } from '../history.ts';
import { canonicalKey, describeValue } from '../models/model.ts';
import type { RegisterView } from '../models/model.ts';
import { clockFor } from './clock.ts';
import type { Clock } from './clock.ts';

export type ZoneOutcome =
  | { valid: true }
  | {
      valid: false;
      kind:
        'thin-air-read' | 'aborted-read' | 'read-before-write' | 'overlapping-zones' | 'unobserved-write-inside-zone';
      /** Operation ids involved; the first is the op that cannot be linearized. */
      ops: number[];
      explanation: string;
    };

interface Cluster {
  value: Value;
  write: Operation | null;
  /** The read of this value that started last (the one an explanation names), if any. */
  lastRead: Operation | null;
  /** Earliest finish and latest start over the cluster's ops. */
  f: number;
  s: number;
}

function opName(op: Operation, clock: Clock): string {
  return `op ${op.id} (process ${op.process}, ${op.f}, ${clock.span(op)})`;
}

/**
 * Decides one partition when every op is a read or a write with a unique written value different from the
 * initial one; returns null when the history is not of that shape (the caller falls back to the search).
 * `failedWrites` are values of writes that failed, to name aborted reads. Explanations name ops by id and
 * times from `origin` (the history's first invoke).
 */
export function checkUniqueValueRegister(
  ops: readonly Operation[],
  initial: Value,
  view: (op: Operation) => RegisterView | null,
  failedWrites: ReadonlySet<string> = new Set(),
  origin = 0,
): ZoneOutcome | null {
  const initKey = valueKey(initial);
  const clusters = new Map<string | number, Cluster>();
  const reads: Operation[] = [];
  const readKeys: Array<string | number> = [];
  for (const op of ops) {
    const v = view(op);
    if (v === null) return null;
    if (v.kind === 'wildcard-read') continue;
    const k = valueKey(v.value);
    if (v.kind === 'read') {
      reads.push(op);
      readKeys.push(k);
      continue;
    }
    if (k === initKey || clusters.has(k)) return null;
    clusters.set(k, { value: v.value, write: op, lastRead: null, f: op.ret, s: op.call });
  }
  const clock = clockFor(ops, origin);
  const initCluster: Cluster = { value: initial, write: null, lastRead: null, f: -Infinity, s: -Infinity };
  for (let r = 0; r < reads.length; r++) {
    const read = reads[r]!;
    const k = readKeys[r]!;
    if (k === initKey) {
      noteRead(initCluster, read);
      continue;
    }
    const c = clusters.get(k);
    if (c === undefined || c.write === null) {
      const aborted = failedWrites.has(canonicalKey(read.output));
      return {
        valid: false,
        kind: aborted ? 'aborted-read' : 'thin-air-read',
        ops: [read.id],
        explanation: aborted
          ? `${opName(read, clock)} read ${describeValue(read.output)}, a value only written by a write that failed (an aborted read)`
          : `${opName(read, clock)} read ${describeValue(read.output)}, a value no operation ever wrote`,
      };
    }
    if (read.ret < c.write.call) {
      return {
        valid: false,
        kind: 'read-before-write',
        ops: [read.id, c.write.id],
        explanation: `${opName(read, clock)} read ${describeValue(read.output)} and completed before ${opName(c.write, clock)} that wrote it began`,
      };
    }
    noteRead(c, read);
  }
  const all = [...clusters.values()];
  if (initCluster.lastRead !== null) all.push(initCluster);
  // Forward zone [f, s]: the value had to be current throughout. Backward zone [s, f]: the write could
  // have taken effect anywhere in it.
  const forward = all.filter((c) => c.f < c.s).sort((a, b) => a.f - b.f);
  for (let i = 1; i < forward.length; i++) {
    const a = forward[i - 1]!;
    const b = forward[i]!;
    if (b.f < a.s) {
      // The read that started last is the stale one: its value had been replaced by then.
      const [stale, other] = a.s >= b.s ? [a, b] : [b, a];
      return {
        valid: false,
        kind: 'overlapping-zones',
        ops: [...latestRead(stale), ...latestRead(other), ...writeIds(other), ...writeIds(stale)],
        explanation:
          `value ${describeValue(stale.value)} had to be current from ${clock.at(stale.f)} to ${clock.at(stale.s)} ${observedBy(stale)}, and ` +
          `value ${describeValue(other.value)} from ${clock.at(other.f)} to ${clock.at(other.s)} ${observedBy(other)}: the two periods overlap, so one of the reads is stale`,
      };
    }
  }
  const lefts = forward.map((c) => c.f);
  for (const c of all) {
    if (c.f < c.s) continue;
    // The forward zone with the largest left end <= c.s: the only one that can contain this zone.
    let lo = 0;
    let hi = lefts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (lefts[mid]! <= c.s) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const z = found >= 0 ? forward[found]! : undefined;
    if (z !== undefined && z.s > c.f && z.f < c.s) {
      return {
        valid: false,
        kind: 'unobserved-write-inside-zone',
        ops: [...latestRead(z), ...writeIds(c), ...writeIds(z)],
        explanation:
          `value ${describeValue(z.value)} had to be current from ${clock.at(z.f)} to ${clock.at(z.s)} ${observedBy(z)}, while ` +
          `${c.write === null ? 'the initial value' : opName(c.write, clock)} wrote ${describeValue(c.value)} and had to take effect between ` +
          `${clock.at(c.s)} and ${clock.at(c.f)}: a read during that period missed the newer write (a stale read)`,
      };
    }
  }
  return { valid: true };
}

/** Numbers stand for themselves (cheap for a million ops); anything else by its canonical JSON. */
function valueKey(v: Value): string | number {
  return typeof v === 'number' ? v : canonicalKey(v);
}

function noteRead(c: Cluster, read: Operation): void {
  if (read.ret < c.f) c.f = read.ret;
  if (read.call > c.s) c.s = read.call;
  if (c.lastRead === null || read.call > c.lastRead.call) c.lastRead = read;
}

function latestRead(c: Cluster): number[] {
  return c.lastRead === null ? [] : [c.lastRead.id];
}

function writeIds(c: Cluster): number[] {
  return c.write === null ? [] : [c.write.id];
}

function observedBy(c: Cluster): string {
  const r = c.lastRead;
  return r === null ? '' : `(read by op ${r.id}, process ${r.process})`;
}
