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
  /** The earliest-starting read of cluster c's value that began after `t` (c's last read began after it). */
  const firstReadAfter = (c: Cluster, t: number): Operation => {
    const k = c.write === null ? initKey : valueKey(c.value);
    let first: Operation | null = null;
    for (let r = 0; r < reads.length; r++) {
      const read = reads[r]!;
      if (readKeys[r] === k && read.call > t && (first === null || read.call < first.call)) first = read;
    }
    return first ?? c.lastRead!;
  };
  // Forward zone [f, s]: the value had to be current throughout. Backward zone [s, f]: the write could
  // have taken effect anywhere in it.
  const forward = all.filter((c) => c.f < c.s).sort((a, b) => a.f - b.f);
  for (let i = 1; i < forward.length; i++) {
    const a = forward[i - 1]!;
    const b = forward[i]!;
    if (b.f < a.s) {
      // Blamed: the first read of the older value that began after an op of the newer one had finished,
      // which saw an overwritten value. The older value is the initial one, or the one whose write ended
      // before the other's began; with concurrent writes, the one whose period lasts longer.
      const [stale, other] = olderFirst(a, b);
      const blamed = firstReadAfter(stale, other.f);
      return {
        valid: false,
        kind: 'overlapping-zones',
        ops: [blamed.id, ...latestRead(other), ...writeIds(other), ...writeIds(stale)],
        explanation:
          `value ${describeValue(stale.value)} had to be current from ${clock.at(stale.f)} to ${clock.at(stale.s)} (read by op ${blamed.id}, process ${blamed.process}), and ` +
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
      // z's write preceded c's (it preceded z's op that finished at z.f < c.s), so a read of z that began
      // after c.f, when c had taken effect, saw an overwritten value: the first such read is blamed.
      const blamed = firstReadAfter(z, c.f);
      return {
        valid: false,
        kind: 'unobserved-write-inside-zone',
        ops: [blamed.id, ...writeIds(c), ...writeIds(z)],
        explanation:
          `value ${describeValue(z.value)} had to be current from ${clock.at(z.f)} to ${clock.at(z.s)} (read by op ${blamed.id}, process ${blamed.process}), while ` +
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

function olderFirst(a: Cluster, b: Cluster): [Cluster, Cluster] {
  if (a.write === null) return [a, b];
  if (b.write === null) return [b, a];
  if (a.write.ret < b.write.call) return [a, b];
  if (b.write.ret < a.write.call) return [b, a];
  return a.s >= b.s ? [a, b] : [b, a];
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
