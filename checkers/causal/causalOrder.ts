// The causal order CO = (po ∪ rf)+ of a register history, as vector clocks (checking.md §3.5): one row of
// k entries per op, so "a CO b" is one comparison and "the last write of session s on x that r causally
// knows" is one binary search.
import { AnomalyGraphBuilder } from '../anomalyGraph.ts';
import type { Operation } from '../history.ts';
import type { Anomaly } from '../result.ts';
import type { CycleStep, Digraph } from './digraph.ts';
import { EdgeList, buildDigraph, findCycle, topologicalOrder } from './digraph.ts';
import type { RegisterHistory } from './registerHistory.ts';
import { anomalyOf, describeOp } from './registerHistory.ts';
import { MAX_CYCLE_STEPS, summariseSteps } from '../explanationText.ts';

/** Edge labels in the po ∪ rf graph; labels ≥ 0 name the read that forced an added edge. */
export const PROGRAM_ORDER = -1;
export const READS_FROM = -2;

/** Above this many clock entries (4 bytes each) the checkers answer unknown rather than exhaust memory. */
export const MAX_CLOCK_ENTRIES = 1 << 27;

export function causalEdges(h: RegisterHistory): EdgeList {
  const edges = new EdgeList();
  for (const ops of h.sessions) for (let i = 1; i < ops.length; i++) edges.add(ops[i - 1]!, ops[i]!, PROGRAM_ORDER);
  for (let r = 0; r < h.ops.length; r++) if (!h.isWrite[r] && h.src[r]! >= 0) edges.add(h.src[r]!, r, READS_FROM);
  return edges;
}

export interface CausalOrder {
  h: RegisterHistory;
  k: number;
  /** clocks[o*k + s] = the largest position in session s inside CausalPast(o) ∪ {o}, or -1. */
  clocks: Int32Array;
  /** writePositions[s][x]: positions of session s's writes on key x, ascending (absent when none). */
  writePositions: Map<number, Int32Array>[];
  /** Sessions with at least one write on key x. */
  writersOfKey: number[][];
}

export type CausalOrderResult =
  { ok: true; order: CausalOrder } | { ok: false; anomaly: Anomaly } | { ok: false; reason: string };

/**
 * One sentence per edge of a cycle: "A, then B in the same process; B was read by C; C ... before A because
 * ...". `forced` explains edges whose label is the read that forced them. `text` is cut to its first and last
 * steps when the cycle is long; `steps` holds every step, for the anomaly's detail.
 */
export function describeCycle(
  h: RegisterHistory,
  cycle: readonly CycleStep[],
  forced: (read: number, from: number, to: number) => string,
): { text: string; steps: string[] } {
  const steps = cycle.map((step, i) => {
    const from = step.node;
    const to = cycle[(i + 1) % cycle.length]!.node;
    if (step.label === PROGRAM_ORDER)
      return `${describeOp(h.ops[from]!)} comes before ${describeOp(h.ops[to]!)} in program order`;
    if (step.label === READS_FROM) return `${describeOp(h.ops[to]!)} returned the value of ${describeOp(h.ops[from]!)}`;
    return forced(step.label, from, to);
  });
  return { text: summariseSteps(steps), steps };
}

/**
 * A cycle of the po ∪ rf graph (plus forced edges) as an anomaly graph over op ids. A forced step (label = the
 * read r that forced "from before to") also shows why: to -rf-> r, and from -`seen`-> r (r causally saw from).
 */
export function cycleGraph(
  h: RegisterHistory,
  cycle: readonly CycleStep[],
  forced: { relation: string; seen: string } = { relation: 'ww', seen: 'co' },
): AnomalyGraphBuilder {
  const g = new AnomalyGraphBuilder();
  const id = (o: number): number => h.ops[o]!.id;
  cycle.forEach((step, i) => {
    const from = step.node;
    const to = cycle[(i + 1) % cycle.length]!.node;
    if (step.label === PROGRAM_ORDER) g.edge(id(from), id(to), 'po');
    else if (step.label === READS_FROM) g.edge(id(from), id(to), 'rf');
    else {
      g.edge(id(from), id(to), forced.relation);
      const r = step.label;
      if (h.src[r] === to) g.edge(id(to), id(r), 'rf');
      g.edge(id(from), id(r), forced.seen);
    }
  });
  return g;
}

/** A causal path (causalPath) as edges: po within a process, rf where it crosses to a reader. */
export function addPathEdges(g: AnomalyGraphBuilder, h: RegisterHistory, path: readonly number[]): void {
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1]!;
    const b = path[i]!;
    g.edge(h.ops[a]!.id, h.ops[b]!.id, h.session[a] === h.session[b] ? 'po' : 'rf');
  }
}

export function computeCausalOrder(h: RegisterHistory): CausalOrderResult {
  const n = h.ops.length;
  const k = h.sessions.length;
  if (n * k > MAX_CLOCK_ENTRIES) {
    return {
      ok: false,
      reason: `${n} ops × ${k} sessions need ${n * k} vector-clock entries, over the ${MAX_CLOCK_ENTRIES} this checker allows (crashes create sessions: fewer crashed processes, or shorter histories)`,
    };
  }
  const g: Digraph = buildDigraph(n, causalEdges(h));
  const { order, cyclic } = topologicalOrder(g);
  if (cyclic) {
    const cycle = findCycle(g)!;
    const ops: Operation[] = cycle.map((s) => h.ops[s.node]!);
    const { text, steps } = describeCycle(h, cycle, () => '');
    return {
      ok: false,
      anomaly: anomalyOf(
        'CyclicCO',
        ops,
        `the causal order (program order plus reads-from) has a cycle, so some op depends on its own future: ${text}`,
        { ...cycleGraph(h, cycle).detail(), cycle: steps },
      ),
    };
  }
  const clocks = new Int32Array(n * k).fill(-1);
  for (const o of order) {
    const base = o * k;
    const s = h.session[o]!;
    const pos = h.position[o]!;
    if (pos > 0) {
      const p = h.sessions[s]![pos - 1]! * k;
      for (let j = 0; j < k; j++) clocks[base + j] = clocks[p + j]!;
    }
    const w = h.src[o]!;
    if (!h.isWrite[o] && w >= 0) {
      const q = w * k;
      for (let j = 0; j < k; j++) if (clocks[q + j]! > clocks[base + j]!) clocks[base + j] = clocks[q + j]!;
    }
    clocks[base + s] = pos;
  }
  const writePositions: Map<number, Int32Array>[] = [];
  const writersOfKey: number[][] = h.keys.map(() => []);
  for (let s = 0; s < k; s++) {
    const byKey = new Map<number, number[]>();
    for (const o of h.sessions[s]!) {
      if (!h.isWrite[o]) continue;
      const x = h.keyOf[o]!;
      let list = byKey.get(x);
      if (list === undefined) {
        byKey.set(x, (list = []));
        writersOfKey[x]!.push(s);
      }
      list.push(h.position[o]!);
    }
    const m = new Map<number, Int32Array>();
    for (const [x, list] of byKey) m.set(x, Int32Array.from(list));
    writePositions.push(m);
  }
  return { ok: true, order: { h, k, clocks, writePositions, writersOfKey } };
}

/** a CO b (a ≠ b). */
export function causallyBefore(c: CausalOrder, a: number, b: number): boolean {
  return a !== b && c.clocks[b * c.k + c.h.session[a]!]! >= c.h.position[a]!;
}

/** The node of session s's last write on key x at a position ≤ limit, or -1. */
export function lastWriteUpTo(c: CausalOrder, s: number, x: number, limit: number): number {
  const positions = c.writePositions[s]!.get(x);
  if (positions === undefined || limit < 0) return -1;
  let lo = 0;
  let hi = positions.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]! <= limit) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? -1 : c.h.sessions[s]![positions[found]!]!;
}

/**
 * A CO path from a to b (a CO b), as the ops where it changes process: each hop is either program order or
 * a read of another process's write. Walks back from b through predecessors that a still causally precedes.
 */
export function causalPath(c: CausalOrder, a: number, b: number): number[] {
  const h = c.h;
  const path = [b];
  const push = (o: number): void => {
    if (path[path.length - 1] !== o) path.push(o);
  };
  let cur = b;
  while (cur !== a) {
    const s = h.session[cur]!;
    const pos = h.position[cur]!;
    if (h.session[a] === s && h.position[a]! < pos) {
      push(a);
      break;
    }
    const w = h.isWrite[cur] ? -1 : h.src[cur]!;
    if (w >= 0 && (w === a || causallyBefore(c, a, w))) {
      push(cur);
      push(w);
      cur = w;
    } else {
      cur = h.sessions[s]![pos - 1]!;
    }
  }
  return path.reverse();
}

/** One phrase per op of a causal path; describePath joins them, cut to its ends when the path is long. */
export function describePathSteps(c: CausalOrder, path: readonly number[]): string[] {
  const h = c.h;
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const o = path[i]!;
    if (i === 0) parts.push(describeOp(h.ops[o]!));
    else if (h.session[o] === h.session[path[i - 1]!]) parts.push(`then ${describeOp(h.ops[o]!)}`);
    else parts.push(`which ${describeOp(h.ops[o]!)}`);
  }
  return parts;
}

export function describePath(c: CausalOrder, path: readonly number[]): string {
  return summariseSteps(describePathSteps(c, path), MAX_CYCLE_STEPS, ', ');
}
