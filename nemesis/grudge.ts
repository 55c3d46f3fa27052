// A grudge says, for each node, which nodes it drops traffic FROM (Jepsen's dest -> #{srcs}). It is
// directional, so one-way partitions are grudges too. Pure data and pure functions only.

/** node -> the nodes whose packets it drops. Every node of the cluster is a key (possibly with []). */
export type Grudge = Readonly<Record<string, readonly string[]>>;

/** A grudge with every node as a key and no drops: what a healed cluster looks like. */
export function emptyGrudge(nodes: readonly string[]): Record<string, string[]> {
  const grudge: Record<string, string[]> = {};
  for (const node of nodes) grudge[node] = [];
  return grudge;
}

/** Nodes in different components drop each other; nodes in the same component see each other. */
export function completeGrudge(nodes: readonly string[], components: readonly (readonly string[])[]): Grudge {
  const grudge = emptyGrudge(nodes);
  for (const component of components) {
    const inside = new Set(component);
    for (const node of component) {
      grudge[node] = nodes.filter((other) => !inside.has(other) && components.some((c) => c.includes(other)));
    }
  }
  return grudge;
}

/** The nodes `node` still hears from, itself included. */
export function visibleFrom(grudge: Grudge, nodes: readonly string[], node: string): string[] {
  const dropped = new Set(grudge[node] ?? []);
  return nodes.filter((other) => !dropped.has(other));
}

/** True when nobody drops anybody. */
export function isHealed(grudge: Grudge): boolean {
  return Object.values(grudge).every((drops) => drops.length === 0);
}

/** What is wrong with a grudge given by hand (unknown nodes, a node dropping itself), one message each. */
export function grudgeProblems(nodes: readonly string[], grudge: Record<string, readonly string[]>): string[] {
  const known = new Set(nodes);
  const problems: string[] = [];
  for (const [node, drops] of Object.entries(grudge)) {
    if (!known.has(node))
      problems.push(`grudge names node '${node}', which is not in the cluster (${nodes.join(', ')})`);
    for (const from of drops) {
      if (!known.has(from)) problems.push(`grudge: ${node} drops '${from}', which is not in the cluster`);
      if (from === node) problems.push(`grudge: ${node} cannot drop traffic from itself`);
    }
  }
  return problems;
}

/**
 * A grudge from the campaign, checked and normalised: every node a key, drops de-duplicated and in cluster
 * order. `{ n1: ['n2'] }` is one-way: n1 ignores n2, n2 still hears n1.
 */
export function explicitGrudge(nodes: readonly string[], grudge: Record<string, readonly string[]>): Grudge {
  const problems = grudgeProblems(nodes, grudge);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const out = emptyGrudge(nodes);
  for (const node of nodes) {
    const drops = new Set(grudge[node] ?? []);
    out[node] = nodes.filter((other) => drops.has(other));
  }
  return out;
}

/** Which nodes' traffic each node drops, as addresses: what the iptables rules on each node need. */
export function grudgeAddresses(grudge: Grudge, addressOf: (node: string) => string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [node, drops] of Object.entries(grudge)) out[node] = drops.map(addressOf);
  return out;
}
