// Partition topologies: pure functions from the node list (and, for random ones, an rng; for 'primary', the
// primary's name) to a grudge. The shapes are Jepsen's (nemesis.clj, nemesis/combined.clj), so results
// compare with what Jepsen users know.
import { completeGrudge, emptyGrudge, explicitGrudge, type Grudge } from './grudge.ts';
import { pick, shuffle, type Rng } from './rng.ts';

/** How a campaign names a partition. */
export type TopologySpec =
  | 'one'
  | 'halves'
  | 'random-halves'
  | 'majorities-ring'
  | 'bridge'
  | 'minority-third'
  | 'primary'
  | { grudge: Record<string, readonly string[]> };

export const topologyNames = [
  'one',
  'halves',
  'random-halves',
  'majorities-ring',
  'bridge',
  'minority-third',
  'primary',
] as const;

/** floor(n/2) + 1. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The largest size that is still strictly less than a third of n (at least 1). */
export function minorityThird(n: number): number {
  return Math.max(1, Math.ceil(n / 3) - 1);
}

/** Cuts the list in two; the smaller half comes first. */
export function bisect(nodes: readonly string[]): [string[], string[]] {
  const cut = Math.floor(nodes.length / 2);
  return [nodes.slice(0, cut), nodes.slice(cut)];
}

/** One node cut off from all the others, both ways. */
export function isolateNode(nodes: readonly string[], node: string): Grudge {
  if (!nodes.includes(node)) throw new Error(`cannot isolate '${node}': not in the cluster (${nodes.join(', ')})`);
  return completeGrudge(nodes, [[node], nodes.filter((n) => n !== node)]);
}

export function partitionRandomNode(nodes: readonly string[], rng: Rng): Grudge {
  return isolateNode(nodes, pick(rng, nodes));
}

/** First half against second half, in the given order. */
export function partitionHalves(nodes: readonly string[]): Grudge {
  return completeGrudge(nodes, bisect(nodes));
}

export function partitionRandomHalves(nodes: readonly string[], rng: Rng): Grudge {
  return completeGrudge(nodes, bisect(shuffle(rng, nodes)));
}

/**
 * Every node sees a majority (itself included), and no two nodes see the same majority: the topology that
 * tempts naive leader election into electing several leaders. For n >= 4 the nodes sit on a ring and each
 * sees its k nearest neighbours on either side, which keeps the grudge symmetric; for n = 3 no symmetric
 * answer exists, so each node sees itself and its successor (one-way drops, as Jepsen's perfect ring).
 */
export function partitionMajoritiesRing(nodes: readonly string[], rng?: Rng): Grudge {
  const n = nodes.length;
  if (n < 3) throw new Error(`a majorities ring needs at least 3 nodes, got ${n}`);
  const ring = rng === undefined ? [...nodes] : shuffle(rng, nodes);
  const m = majority(n);
  const k = Math.ceil((m - 1) / 2);
  const symmetric = 2 * k + 1 < n;
  const grudge = emptyGrudge(nodes);
  ring.forEach((node, i) => {
    const visible = new Set<string>();
    if (symmetric) for (let d = -k; d <= k; d++) visible.add(ring[(i + d + n) % n]!);
    else for (let d = 0; d < m; d++) visible.add(ring[(i + d) % n]!);
    grudge[node] = nodes.filter((other) => !visible.has(other));
  });
  return grudge;
}

/**
 * Two halves that cannot see each other, and one bridge node (the first of the second half) that sees and
 * is seen by everyone.
 */
export function bridge(nodes: readonly string[], rng?: Rng): Grudge {
  if (nodes.length < 3) throw new Error(`a bridge needs at least 3 nodes, got ${nodes.length}`);
  const order = rng === undefined ? [...nodes] : shuffle(rng, nodes);
  const [left, right] = bisect(order);
  const bridgeNode = right[0]!;
  const halves = completeGrudge(nodes, [left, right.slice(1)]);
  const grudge = emptyGrudge(nodes);
  for (const node of nodes) {
    if (node !== bridgeNode) grudge[node] = (halves[node] ?? []).filter((n) => n !== bridgeNode);
  }
  return grudge;
}

/** Fewer than a third of the nodes (chosen at random) split away from the rest. */
export function partitionMinorityThird(nodes: readonly string[], rng: Rng): Grudge {
  if (nodes.length < 4) throw new Error(`a minority third needs at least 4 nodes, got ${nodes.length}`);
  const order = shuffle(rng, nodes);
  const size = minorityThird(nodes.length);
  return completeGrudge(nodes, [order.slice(0, size), order.slice(size)]);
}

/** Each primary alone in its own component; the other nodes together. */
export function isolatePrimaries(nodes: readonly string[], primaries: readonly string[]): Grudge {
  if (primaries.length === 0) throw new Error('cannot isolate the primary: the system named none');
  for (const p of primaries) {
    if (!nodes.includes(p)) throw new Error(`cannot isolate primary '${p}': not in the cluster (${nodes.join(', ')})`);
  }
  const others = nodes.filter((n) => !primaries.includes(n));
  return completeGrudge(nodes, [...primaries.map((p) => [p]), others]);
}

export interface TopologyContext {
  rng: Rng;
  /** The current primary, for 'primary'; resolved at the moment the fault starts. */
  primary?: string;
}

/** The grudge a campaign's topology spec means for these nodes. Throws with a readable message when it cannot. */
export function grudgeFor(spec: TopologySpec, nodes: readonly string[], ctx: TopologyContext): Grudge {
  if (typeof spec === 'object') return explicitGrudge(nodes, spec.grudge);
  switch (spec) {
    case 'one':
      return partitionRandomNode(nodes, ctx.rng);
    case 'halves':
      return partitionHalves(nodes);
    case 'random-halves':
      return partitionRandomHalves(nodes, ctx.rng);
    case 'majorities-ring':
      return partitionMajoritiesRing(nodes, ctx.rng);
    case 'bridge':
      return bridge(nodes, ctx.rng);
    case 'minority-third':
      return partitionMinorityThird(nodes, ctx.rng);
    case 'primary':
      return isolatePrimaries(nodes, ctx.primary === undefined ? [] : [ctx.primary]);
  }
}

/** Why a topology cannot work on a cluster of this size (for campaign validation); empty when it can. */
export function topologyProblems(spec: TopologySpec, nodes: readonly string[]): string[] {
  const n = nodes.length;
  if (typeof spec === 'object') {
    try {
      explicitGrudge(nodes, spec.grudge);
      return [];
    } catch (error) {
      return [(error as Error).message];
    }
  }
  const least: Record<(typeof topologyNames)[number], number> = {
    one: 2,
    halves: 2,
    'random-halves': 2,
    'majorities-ring': 3,
    bridge: 3,
    'minority-third': 4,
    primary: 2,
  };
  const needed = least[spec];
  return n < needed ? [`partition '${spec}' needs at least ${needed} nodes; the cluster has ${n}`] : [];
}
