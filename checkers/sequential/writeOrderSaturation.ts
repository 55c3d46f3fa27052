// Write orders every sequential order must contain, derived to a fixpoint (the pruning of Cobra/PolySI's
// polygraphs, checking.md §2.5, applied to single-op transactions). With unique values, a read r of write w
// on key x and another write w' of x leave two choices: w' before w, or w' after r. So, given the orders
// already known (program order, reads-from, the known write orders and the read-before-overwrite edges they
// imply):
//   w reaches w'             => every read of w before w' (an extra read-before-overwrite edge)
//   w' reaches a read of w   => w' before w (a write-order pair; its reads then precede w too)
// Each new pair can force others; at the fixpoint, a cycle among the constraints proves the history is not
// sequentially consistent with no search at all, and otherwise the pairs prune the search. Necessary
// conditions only: every pair holds in every sequential order, so completeness is kept.
import type { RegisterHistory } from '../causal/registerHistory.ts';
import { EdgeList, buildDigraph, topologicalOrder } from '../causal/digraph.ts';
import { CONSTRAINT_READ_BEFORE_OVERWRITE, sequentialConstraints } from './frontierSearch.ts';

/** Above this many ops the reachability bitsets (n² bits) are not built and saturation is skipped. */
export const MAX_SATURATION_OPS = 12_000;
/** Each round looks at every pair of writes of a key; above this many pairs saturation is skipped. */
export const MAX_SATURATION_WRITE_PAIRS = 4_000_000;

export type SaturationResult =
  | { kind: 'ok' | 'cyclic'; before: number[]; readBeforeWrite: EdgeList; added: number; rounds: number }
  | { kind: 'skipped'; reason: string };

/** The sequential constraints with the saturation's extra read-before-overwrite edges. */
export function saturatedConstraints(h: RegisterHistory, before: readonly number[], extra: EdgeList): EdgeList {
  const edges = sequentialConstraints(h, before);
  for (let i = 0; i < extra.from.length; i++) edges.add(extra.from[i]!, extra.to[i]!, extra.label[i]!);
  return edges;
}

export function saturateWriteOrder(
  h: RegisterHistory,
  before: readonly number[],
  deadline: number = Infinity,
): SaturationResult {
  const steps = saturateWriteOrderSteps(h, before, deadline, Infinity);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * The saturation, pausing at least every `pauseEveryMs` (between keys and rounds) with the number of write
 * orders and read-before-overwrite edges derived so far, so an async caller can show progress; the
 * generator's return is the result.
 */
export function* saturateWriteOrderSteps(
  h: RegisterHistory,
  before: readonly number[],
  deadline: number,
  pauseEveryMs: number,
): Generator<number, SaturationResult, undefined> {
  const n = h.ops.length;
  if (n > MAX_SATURATION_OPS) return { kind: 'skipped', reason: `${n} ops, over ${MAX_SATURATION_OPS}` };
  const writePairs = h.writesByKey.reduce((sum, w) => sum + w.length * w.length, 0);
  if (writePairs > MAX_SATURATION_WRITE_PAIRS)
    return { kind: 'skipped', reason: `${writePairs} write pairs, over ${MAX_SATURATION_WRITE_PAIRS}` };
  const words = (n + 31) >>> 5;
  const reach = new Uint32Array(n * words);
  const pairs = [...before];
  const known = new Set<number>();
  for (let i = 0; i < pairs.length; i += 2) known.add(pairs[i]! * n + pairs[i + 1]!);
  const readersOf: number[][] = Array.from({ length: n }, () => []);
  for (let r = 0; r < n; r++) if (!h.isWrite[r] && h.src[r]! >= 0) readersOf[h.src[r]!]!.push(r);
  const reaches = (a: number, b: number): boolean => (reach[a * words + (b >>> 5)]! & (1 << (b & 31))) !== 0;
  const extra = new EdgeList();
  const extraKnown = new Set<number>();
  let added = 0;
  let nextPause = performance.now() + pauseEveryMs;
  const pauseDue = (): boolean => performance.now() >= nextPause;
  for (let rounds = 1; ; rounds++) {
    const g = buildDigraph(n, saturatedConstraints(h, pairs, extra));
    const { order, cyclic } = topologicalOrder(g);
    const result = (kind: 'ok' | 'cyclic') => ({ kind, before: pairs, readBeforeWrite: extra, added, rounds });
    if (cyclic) return result('cyclic');
    reach.fill(0);
    for (let i = order.length - 1; i >= 0; i--) {
      const u = order[i]!;
      const row = u * words;
      for (let e = g.start[u]!; e < g.start[u + 1]!; e++) {
        const v = g.target[e]!;
        const vr = v * words;
        reach[row + (v >>> 5)]! |= 1 << (v & 31);
        for (let j = 0; j < words; j++) reach[row + j]! |= reach[vr + j]!;
      }
    }
    if (Date.now() > deadline) return result('ok');
    if (pauseDue()) {
      yield added;
      nextPause = performance.now() + pauseEveryMs;
    }
    let grew = false;
    const add = (a: number, b: number): void => {
      const k = a * n + b;
      if (known.has(k)) return;
      known.add(k);
      pairs.push(a, b);
      added++;
      grew = true;
    };
    for (const writes of h.writesByKey) {
      if (Date.now() > deadline) return result('ok');
      if (pauseDue()) {
        yield added;
        nextPause = performance.now() + pauseEveryMs;
      }
      for (const w of writes) {
        for (const w2 of writes) {
          if (w2 === w) continue;
          if (reaches(w, w2)) {
            for (const r of readersOf[w]!) {
              const k = r * n + w2;
              if (reaches(r, w2) || extraKnown.has(k)) continue;
              extraKnown.add(k);
              extra.add(r, w2, CONSTRAINT_READ_BEFORE_OVERWRITE);
              added++;
              grew = true;
            }
          } else if (!reaches(w2, w)) {
            for (const r of readersOf[w]!) {
              if (reaches(w2, r)) {
                add(w2, w);
                break;
              }
            }
          }
        }
      }
    }
    if (!grew) return result('ok');
  }
}
