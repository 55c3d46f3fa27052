// Grow-only sets whose every element is added once (the set workload's unique elements): decided in time
// linear in the history's size, without the search, whose states (whole member lists) made long set histories
// run out of time and memory (issue 14).
//
// Per set: a read returns exactly the members added before it, so the reads, ordered by how many members
// they return, must form a chain (each returns every member the one before did), and reads returning as many
// are equal. Call R_0 < R_1 < ... < R_{k-1} the groups of equal reads and give each element the first group
// that returns it. The add of an element first returned by R_g must come after every read without it (the
// groups before g) and before every read with it: between R_{g-1} and R_g. An element no read returns is added
// after every read. So the order of blocks A_0 R_0 A_1 R_1 ... R_{k-1} A_k is forced, and inside a block any
// order will do (adds commute; equal reads see one state). A linearization exists iff real time allows that
// block order: at no boundary did an op after it return before an op before it was called. Ok reads that
// returned nothing (nil) constrain no state and fit anywhere in their interval.
import type { Operation } from '../history.ts';
import type { MemberAccess } from '../models/model.ts';
import { clockFor } from './clock.ts';

/**
 * A map from set elements to numbers: small non-negative integers (most sets hold them) index a typed table,
 * the rest go to a Map. A read of a big set touches every member, so this lookup is the inner loop of both the
 * settling of info adds and the chains: a Map, then a JS array of boxed numbers, made a 100k-op history spend
 * seconds here and in the garbage collector.
 */
export class ElementNumbers {
  // NaN marks an element not set (no element's number is NaN).
  private dense = new Float64Array(1024).fill(NaN);
  private readonly sparse = new Map<string | number, number>();

  /** The element's number, NaN when it has none: never undefined, so the hot loops never box a double. */
  get(e: string | number): number {
    if (typeof e === 'number' && e >= 0 && e < denseLimit && Number.isInteger(e)) {
      return e < this.dense.length ? this.dense[e]! : NaN;
    }
    return this.sparse.get(e) ?? NaN;
  }

  set(e: string | number, v: number): void {
    if (typeof e === 'number' && e >= 0 && e < denseLimit && Number.isInteger(e)) {
      if (e >= this.dense.length) {
        let size = this.dense.length;
        while (size <= e) size *= 2;
        const grown = new Float64Array(size).fill(NaN);
        grown.set(this.dense);
        this.dense = grown;
      }
      this.dense[e] = v;
    } else this.sparse.set(e, v);
  }
}

/** Integer elements below this index the dense table (16 M entries, 128 MB, at most). */
const denseLimit = 1 << 24;

export type SetChainOutcome = { valid: true } | { valid: false; ops: number[]; explanation: string };

interface GrowOnlySet {
  adds: Map<string | number, Operation>;
  reads: { op: Operation; elements: readonly (string | number)[] }[];
}

/**
 * Decides one partition of a grow-only set model; null when the history is not of that shape (an element
 * added twice, an op the model does not know, a read that returned no list): the search decides it then.
 */
export function checkGrowOnlySets(
  ops: readonly Operation[],
  access: (op: Operation) => MemberAccess | null,
  origin = 0,
): SetChainOutcome | null {
  const sets = new Map<string, GrowOnlySet>();
  for (const op of ops) {
    const a = access(op);
    if (a === null || a.kind === 'other') return null;
    let s = sets.get(a.set);
    if (s === undefined) sets.set(a.set, (s = { adds: new Map(), reads: [] }));
    if (a.kind === 'add') {
      if (s.adds.has(a.element)) return null;
      s.adds.set(a.element, op);
    } else if (op.status === 'ok' && op.output !== null) {
      if (!Array.isArray(op.output)) return null;
      s.reads.push({ op, elements: a.elements });
    }
  }
  for (const s of sets.values()) {
    const outcome = checkOneSet(s, origin, ops);
    if (outcome === null || !outcome.valid) return outcome;
  }
  return { valid: true };
}

function checkOneSet(s: GrowOnlySet, origin: number, all: readonly Operation[]): SetChainOutcome | null {
  const clock = (): ReturnType<typeof clockFor> => clockFor(all, origin);
  const name = (op: Operation): string => `op ${op.id} (${op.f}, ${clock().span(op)})`;
  // Groups of reads by size, smallest first.
  const sizes = [...new Set(s.reads.map((r) => r.elements.length))].sort((a, b) => a - b);
  const groupOfSize = new Map(sizes.map((n, g) => [n, g]));
  const index = new ElementNumbers();
  const elementAt: (string | number)[] = [];
  const rank: number[] = [];
  const firstReader: Operation[] = [];
  const lastRead: number[] = [];
  for (let i = 0; i < s.reads.length; i++) {
    const { op, elements } = s.reads[i]!;
    const g = groupOfSize.get(elements.length)!;
    for (let j = 0; j < elements.length; j++) {
      const e = elements[j]!;
      let k = index.get(e);
      if (Number.isNaN(k)) {
        if (!s.adds.has(e)) {
          return { valid: false, ops: [op.id], explanation: `${name(op)} returned ${String(e)}, which no op added` };
        }
        k = rank.length;
        index.set(e, k);
        elementAt.push(e);
        rank.push(g);
        firstReader.push(op);
        lastRead.push(-1);
      }
      // A member twice in one read: no state has it twice. The search says so with its own words.
      if (lastRead[k] === i) return null;
      lastRead[k] = i;
      if (g < rank[k]!) {
        rank[k] = g;
        firstReader[k] = op;
      }
    }
  }
  // Elements first returned by each group, cumulated: a read of group g must return exactly that many.
  const upTo = new Array<number>(sizes.length).fill(0);
  for (const g of rank) upTo[g]!++;
  for (let g = 1; g < sizes.length; g++) upTo[g]! += upTo[g - 1]!;
  for (const { op, elements } of s.reads) {
    const g = groupOfSize.get(elements.length)!;
    if (elements.length === upTo[g]) continue;
    // Some element returned by a read no larger than this one is missing from it: name one, and that read.
    const have = new Set(elements);
    let missing = -1;
    for (let k = 0; k < rank.length && missing < 0; k++) if (rank[k]! <= g && !have.has(elementAt[k]!)) missing = k;
    const other = firstReader[missing]!;
    return {
      valid: false,
      ops: [op.id, other.id],
      explanation:
        `${name(op)} returned ${elements.length} members without ${String(elementAt[missing])}, which ` +
        `${name(other)} returned with no more members (a read of a grow-only set returns every member a ` +
        `smaller read returned)`,
    };
  }
  // The blocks in their forced order: A_0 R_0 A_1 R_1 ... R_{k-1} A_k (block 2g+1 holds the reads of group g).
  const blocks = 2 * sizes.length + 1;
  const blockOf = new Map<Operation, number>();
  for (const [e, add] of s.adds) {
    const k = index.get(e);
    blockOf.set(add, Number.isNaN(k) ? blocks - 1 : 2 * rank[k]!);
  }
  for (const { op, elements } of s.reads) blockOf.set(op, 2 * groupOfSize.get(elements.length)! + 1);
  // Latest call up to each block, earliest return from each block on, with the ops that have them.
  const lastCall = new Array<Operation | undefined>(blocks);
  const firstRet = new Array<Operation | undefined>(blocks);
  const later = (a: Operation | undefined, b: Operation | undefined): Operation | undefined =>
    a === undefined ? b : b === undefined || a.call >= b.call ? a : b;
  const sooner = (a: Operation | undefined, b: Operation | undefined): Operation | undefined =>
    a === undefined ? b : b === undefined || a.ret <= b.ret ? a : b;
  for (const [op, b] of blockOf) {
    lastCall[b] = later(lastCall[b], op);
    firstRet[b] = sooner(firstRet[b], op);
  }
  for (let b = 1; b < blocks; b++) lastCall[b] = later(lastCall[b], lastCall[b - 1]);
  for (let b = blocks - 2; b >= 0; b--) firstRet[b] = sooner(firstRet[b], firstRet[b + 1]);
  for (let b = 0; b + 1 < blocks; b++) {
    const early = lastCall[b];
    const late = firstRet[b + 1];
    if (early === undefined || late === undefined || late.ret >= early.call) continue;
    return {
      valid: false,
      ops: [late.id, early.id],
      explanation:
        `${name(late)} returned before ${name(early)} was called, yet the sets the reads returned put op ` +
        `${early.id} first`,
    };
  }
  return { valid: true };
}
