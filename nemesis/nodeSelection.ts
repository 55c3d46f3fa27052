// Which nodes a process, clock or packet fault hits: Jepsen's node specs (db-nodes in nemesis/combined.clj).
// Pure: the rng makes the choice, the primary comes from the system at the moment the fault starts.
import { majority, minorityThird } from './topologies.ts';
import { shuffle, type Rng } from './rng.ts';

export type NodeSelector = 'one' | 'minority' | 'majority' | 'minority-third' | 'all' | 'primary' | readonly string[];

export const nodeSelectorNames = ['one', 'minority', 'majority', 'minority-third', 'all', 'primary'] as const;

/** How many nodes a named selector takes from a cluster of n (primary: 1). */
export function selectionSize(selector: Exclude<NodeSelector, readonly string[]>, n: number): number {
  switch (selector) {
    case 'one':
    case 'primary':
      return Math.min(1, n);
    case 'minority':
      // Strictly fewer than half: 1 of 3 or 4, 2 of 5 or 6.
      return Math.ceil(n / 2) - 1;
    case 'majority':
      return Math.min(n, majority(n));
    case 'minority-third':
      return n < 4 ? 0 : minorityThird(n);
    case 'all':
      return n;
  }
}

/** The nodes a selector means here, in cluster order. Throws when it means none (e.g. 'minority' of 1). */
export function selectNodes(
  selector: NodeSelector,
  nodes: readonly string[],
  ctx: { rng: Rng; primary?: string },
): string[] {
  if (typeof selector !== 'string') {
    const unknown = selector.filter((s) => !nodes.includes(s));
    if (unknown.length > 0) throw new Error(`nodes ${unknown.join(', ')} are not in the cluster (${nodes.join(', ')})`);
    if (selector.length === 0) throw new Error('an explicit node list must name at least one node');
    return nodes.filter((n) => selector.includes(n));
  }
  if (selector === 'primary') {
    if (ctx.primary === undefined) throw new Error('the fault targets the primary, but the system named none');
    if (!nodes.includes(ctx.primary)) throw new Error(`the primary '${ctx.primary}' is not in the cluster`);
    return [ctx.primary];
  }
  const size = selectionSize(selector, nodes.length);
  if (size === 0) throw new Error(`'${selector}' of ${nodes.length} node(s) selects no node`);
  const chosen = new Set(shuffle(ctx.rng, nodes).slice(0, size));
  return nodes.filter((n) => chosen.has(n));
}

/** Why a selector cannot work on these nodes (for campaign validation); empty when it can. */
export function nodeSelectorProblems(selector: NodeSelector, nodes: readonly string[]): string[] {
  if (typeof selector !== 'string') {
    const unknown = selector.filter((s) => !nodes.includes(s));
    return [
      ...(selector.length === 0 ? ['an explicit node list must name at least one node'] : []),
      ...unknown.map((u) => `node '${u}' is not in the cluster (${nodes.join(', ')})`),
    ];
  }
  if (selector === 'primary') return [];
  return selectionSize(selector, nodes.length) === 0
    ? [`'${selector}' of ${nodes.length} node(s) selects no node`]
    : [];
}
