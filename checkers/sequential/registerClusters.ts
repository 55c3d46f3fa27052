// Sequential consistency of ONE register with unique values in O(n) (checking.md §2.3): in any legal
// sequential order each value's write and its reads form a contiguous block, the initial value's block
// first, so SC ⟺ the blocks can be ordered consistently with program order ⟺ the block graph is acyclic.
// Run per key on a multi-key history it checks coherence, a necessary condition for SC.
import { AnomalyGraphBuilder } from '../anomalyGraph.ts';
import type { Anomaly } from '../result.ts';
import type { CycleStep } from '../causal/digraph.ts';
import { EdgeList, buildDigraph, findCycle } from '../causal/digraph.ts';
import type { RegisterHistory } from '../causal/registerHistory.ts';
import { anomalyOf, describeOp, showValue } from '../causal/registerHistory.ts';
import { escapeControl, summariseSteps } from '../explanationText.ts';

export interface BlockOrder {
  /** A per-key cycle of blocks, or a read of its own future write; null when every key is coherent. */
  anomaly: Anomaly | null;
  /** Pairs (w1, w2) flattened: write w1 must precede write w2 in every sequential order. */
  before: number[];
}

export function findIncoherentKey(h: RegisterHistory): Anomaly | null {
  return blockOrder(h).anomaly;
}

export function blockOrder(h: RegisterHistory): BlockOrder {
  const n = h.ops.length;
  // Nodes: writes are their own block; node n + x is the initial block of key x.
  const block = (o: number): number => (h.isWrite[o] ? o : h.src[o]! >= 0 ? h.src[o]! : n + h.keyOf[o]!);
  const edges = new EdgeList();
  const pairs: [number, number][] = [];
  const before: number[] = [];
  for (let x = 0; x < h.keys.length; x++) for (const w of h.writesByKey[x]!) edges.add(n + x, w, -1);
  for (const session of h.sessions) {
    const previousOnKey = new Map<number, number>();
    for (const b of session) {
      const x = h.keyOf[b]!;
      const a = previousOnKey.get(x);
      previousOnKey.set(x, b);
      if (a === undefined) continue;
      const from = block(a);
      const to = block(b);
      if (from !== to) {
        if (from < n && to < n) before.push(from, to);
        pairs.push([a, b]);
        edges.add(from, to, pairs.length - 1);
      } else if (!h.isWrite[a] && h.isWrite[b]) {
        const anomaly = anomalyOf(
          'ReadOwnFutureWrite',
          [h.ops[a]!, h.ops[b]!],
          `${describeOp(h.ops[a]!)} before its own process wrote that value: ${describeOp(h.ops[b]!)}`,
          new AnomalyGraphBuilder()
            .edge(h.ops[a]!.id, h.ops[b]!.id, 'po')
            .edge(h.ops[b]!.id, h.ops[a]!.id, 'rf')
            .detail(),
        );
        return { anomaly, before };
      }
    }
  }
  const cycle = findCycle(buildDigraph(n + h.keys.length, edges));
  return { anomaly: cycle === null ? null : blockCycleAnomaly(h, cycle, pairs), before };
}

function blockName(h: RegisterHistory, node: number): string {
  const n = h.ops.length;
  if (node >= n) return `the initial value of ${escapeControl(h.keys[node - n] ?? '') || 'the register'}`;
  const op = h.ops[node]!;
  return `${op.key === undefined ? '' : `${op.key}=`}${showValue(op.input)}`;
}

function blockCycleAnomaly(
  h: RegisterHistory,
  cycle: readonly CycleStep[],
  pairs: readonly [number, number][],
): Anomaly {
  const ops = new Set<number>();
  const parts: string[] = [];
  const n = h.ops.length;
  // Diagram: each program-order pair, and how consecutive pairs meet in one block (a write and its reads).
  const graph = new AnomalyGraphBuilder();
  const initialBefore: number[] = [];
  cycle.forEach((step, i) => {
    const next = cycle[(i + 1) % cycle.length]!.node;
    const order = `so ${blockName(h, step.node)} came before ${blockName(h, next)}`;
    if (step.label < 0) {
      parts.push(`${blockName(h, step.node)} is first, before every write`);
      initialBefore.push(next);
      return;
    }
    const [a, b] = pairs[step.label]!;
    ops.add(a).add(b);
    graph.edge(h.ops[a]!.id, h.ops[b]!.id, 'po');
    parts.push(`${describeOp(h.ops[a]!)} and then ${describeOp(h.ops[b]!).replace(/^process \d+ /, '')}, ${order}`);
  });
  for (const o of ops) {
    if (h.isWrite[o]) continue;
    const src = h.src[o]!;
    if (src >= 0) graph.edge(h.ops[src]!.id, h.ops[o]!.id, 'rf');
    // A read of the initial value precedes every write the cycle puts after the initial block.
    else for (const w of initialBefore) if (w < n) graph.edge(h.ops[o]!.id, h.ops[w]!.id, 'rw');
  }
  const key = h.keys[h.keyOf[cycle.find((s) => s.node < h.ops.length)?.node ?? 0] ?? 0] ?? '';
  const a = anomalyOf(
    'IncoherentKey',
    [...ops].map((o) => h.ops[o]!),
    `no single sequential order of ${key === '' ? 'the register' : `key ${escapeControl(key)}`} explains every process's reads and writes in program order: ${summariseSteps(parts)}; a cycle`,
    { ...graph.detail(), cycle: parts },
  );
  if (key !== '') a.key = key;
  return a;
}
