// Maelstrom's broadcast figure, stable latency: for each acknowledged element, how long after its add was
// acknowledged every node's reads showed it for good. On each node that read, the reads that began after the
// ack judge the element (a concurrent read may miss it legally); the node holds it stably from the first of
// those reads after the last one that missed it, and the completion of that read is when it is proved to (an
// upper bound: the figure's resolution is the time between a node's reads). The element is stable once every
// node holds it; never stable when some node's last read misses it; undetermined when some node did not read
// after the ack. Pure, and linear in the size of the reads, as the set checker is.
import type { Operation, Value } from '../checkers/history.ts';
import { canonicalKey } from '../checkers/models/model.ts';
import { percentile } from './report/reportData.ts';

export interface StableLatency {
  /** Elements whose add was acknowledged (ok). */
  elements: number;
  stable: number;
  /** ms from the ack to stable, over the stable elements (nearest rank); null when none is stable. */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** Elements some node's reads miss to its last read: never stable. */
  neverStable: number;
  /** The first few never-stable elements (by ack), and the node that misses each. */
  neverStableExamples: { element: Value; node: string }[];
  /** Elements some node never read after their ack: nothing can be said of them. */
  undetermined: number;
  /** The nodes whose reads judge (those with an ok read), sorted. */
  nodes: string[];
}

/** How a node's reads are grouped when the history does not name the node. */
const unnamedNode = '(no node named)';
const examplesKept = 5;

const elementKey = (v: Value): string => (typeof v === 'number' ? String(v) : `~${canonicalKey(v)}`);

interface Ack {
  key: string;
  element: Value;
  at: number;
}

interface NodeHolding {
  /** Per element key: when this node's reads prove it holds the element for good (ns), or 'never'. */
  stableAt: Map<string, number | 'never'>;
}

/** One node's reads against the acks (sorted by time): when each element became stable on it. */
function holdingOf(reads: readonly Operation[], acks: readonly Ack[]): NodeHolding {
  const sorted = [...reads].sort((a, b) => a.call - b.call);
  const firstJudging = new Map<string, number>();
  const lastMissing = new Map<string, number>();
  const judged: string[] = [];
  let next = 0;
  for (let i = 0; i < sorted.length; i++) {
    const read = sorted[i]!;
    for (; next < acks.length && acks[next]!.at <= read.call; next++) {
      judged.push(acks[next]!.key);
      firstJudging.set(acks[next]!.key, i);
    }
    const seen = new Set((read.output as Value[]).map(elementKey));
    for (const k of judged) if (!seen.has(k)) lastMissing.set(k, i);
  }
  const stableAt = new Map<string, number | 'never'>();
  for (const k of judged) {
    const missed = lastMissing.get(k);
    const from = missed === undefined ? firstJudging.get(k)! : missed + 1;
    stableAt.set(k, from >= sorted.length ? 'never' : sorted[from]!.ret);
  }
  return { stableAt };
}

/** Stable latency of a set history's elements (one key: Maelstrom's broadcast has none). */
export function stableLatency(operations: readonly Operation[]): StableLatency {
  const acks: Ack[] = [];
  const seenElements = new Set<string>();
  for (const op of operations)
    if (op.f === 'add' && op.status === 'ok') {
      const key = elementKey(op.input);
      if (seenElements.has(key)) continue;
      seenElements.add(key);
      acks.push({ key, element: op.input, at: op.ret });
    }
  acks.sort((a, b) => a.at - b.at);
  const readsByNode = new Map<string, Operation[]>();
  for (const op of operations)
    if (op.f === 'read' && op.status === 'ok' && Array.isArray(op.output)) {
      const node = op.node ?? unnamedNode;
      let reads = readsByNode.get(node);
      if (reads === undefined) readsByNode.set(node, (reads = []));
      reads.push(op);
    }
  const nodes = [...readsByNode.keys()].sort();
  const holdings = nodes.map((n) => ({ node: n, ...holdingOf(readsByNode.get(n)!, acks) }));
  const latencies: number[] = [];
  let neverStable = 0;
  let undetermined = 0;
  const neverStableExamples: StableLatency['neverStableExamples'] = [];
  for (const ack of acks) {
    let latest = -Infinity;
    let missedOn: string | undefined;
    let unread = false;
    for (const h of holdings) {
      const at = h.stableAt.get(ack.key);
      if (at === undefined) unread = true;
      else if (at === 'never') missedOn ??= h.node;
      else latest = Math.max(latest, at);
    }
    // Never stable outweighs undetermined: one node's last read already proves it.
    if (missedOn !== undefined) {
      neverStable++;
      if (neverStableExamples.length < examplesKept) neverStableExamples.push({ element: ack.element, node: missedOn });
    } else if (unread || holdings.length === 0) undetermined++;
    else latencies.push((latest - ack.at) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  return {
    elements: acks.length,
    stable: latencies.length,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    maxMs: round(latencies.at(-1) ?? null),
    neverStable,
    neverStableExamples,
    undetermined,
    nodes,
  };
}
