// Applies a grudge to real nodes: on each receiving node, DROP every packet from the addresses it holds a
// grudge against, in faultline's own chain jumped to from the top of INPUT, so established connections are
// cut as well as new ones; conntrack's entries for those peers are deleted too, so no stateful rule lets an
// old flow back in. Grudges name only cluster nodes, so the controller's path to the nodes is never touched.
import { z } from 'zod';
import type { Remote } from '../../harness/nodes/remote.ts';
import { visibleFrom, type Grudge } from '../grudge.ts';
import { pick } from '../rng.ts';
import { grudgeFor, isolatePrimaries, topologyNames, topologyProblems, type TopologySpec } from '../topologies.ts';
import { toValue } from '../_internals/toValue.ts';
import { tryExec } from '../_internals/exec.ts';
import { removeChain, replaceChainRules } from '../_internals/iptablesChain.ts';
import { onEveryNode } from '../_internals/onEveryNode.ts';
import { healedIf, nodeListLabel, type FaultPackage } from './faultPackage.ts';

/** The rules (argv tails after `-A FAULTLINE`) that make a node drop these source addresses. */
export function partitionRules(sources: readonly string[]): string[][] {
  // One rule for all sources keeps apply fast; iptables expands the comma list itself.
  return sources.length === 0 ? [] : [['-s', sources.join(','), '-j', 'DROP']];
}

function addressesOf(remotes: readonly Remote[]): Map<string, string> {
  return new Map(remotes.map((r) => [r.name, r.address]));
}

export interface ApplyGrudgeOptions {
  /**
   * Addresses a node drops on top of its grudge, by node name: e.g. the controller's, to cut it off on
   * purpose. Empty by default, since faultline never cuts its own path to the nodes unless asked.
   */
  extraDrops?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Makes the cluster look like the grudge: each node's FAULTLINE chain is replaced by drops for exactly the
 * nodes it holds a grudge against (an empty list heals that node). Nodes not in `remotes` are not touched.
 */
export async function applyGrudge(
  remotes: readonly Remote[],
  grudge: Grudge,
  options: ApplyGrudgeOptions = {},
): Promise<void> {
  const address = addressesOf(remotes);
  await onEveryNode(remotes, async (remote) => {
    const peers = (grudge[remote.name] ?? []).map((peer) => {
      const a = address.get(peer);
      if (a === undefined) throw new Error(`grudge names '${peer}', which has no Remote in this cluster`);
      return a;
    });
    const sources = [...peers, ...(options.extraDrops?.[remote.name] ?? [])];
    await replaceChainRules(remote, 'FAULTLINE', partitionRules(sources));
    // Best effort: conntrack answers 1 when there was nothing to delete, and may be absent on ssh hosts.
    for (const source of sources) {
      await tryExec(remote, ['conntrack', '-D', '-s', source]);
      await tryExec(remote, ['conntrack', '-D', '-d', source]);
    }
  });
}

/** Removes the partition from every node; idempotent and safe when nothing is there. */
export async function healPartition(remotes: readonly Remote[]): Promise<void> {
  await onEveryNode(remotes, async (remote) => {
    await removeChain(remote, 'FAULTLINE');
  });
}

// The partition fault package: a grudge drawn from the campaign's topologies (the primary's is only known
// when the fault starts), applied with applyGrudge and undone with healPartition.

const topologyChoice = z.union(
  [
    z.enum(topologyNames),
    z
      .strictObject({
        grudge: z
          .record(z.string().min(1), z.array(z.string().min(1)))
          .describe('node -> the nodes whose packets it drops; { n1: [n2] } is one-way: n1 ignores n2'),
      })
      .describe('An explicit grudge'),
  ],
  {
    // A union's own message says only "Invalid input"; a misspelt name should list the names.
    error: (issue) =>
      typeof issue.input === 'string'
        ? `Invalid option: expected one of ${topologyNames.map((n) => `"${n}"`).join('|')}, or { grudge: { node: [nodes it drops] } }`
        : 'an explicit grudge is { grudge: { node: [the nodes whose packets it drops] } }, e.g. { grudge: { n1: [n2] } } (one-way: n1 ignores n2)',
  },
);

const partitionCampaign = z.strictObject({
  kind: z.literal('partition'),
  topologies: z
    .array(topologyChoice)
    .min(1)
    .optional()
    .describe('Partition shapes to draw from; default one, halves, majorities-ring'),
});

export interface PartitionPlan {
  kind: 'partition';
  topologies?: readonly TopologySpec[];
}

export interface PlannedPartition {
  kind: 'partition';
  topology: TopologySpec;
  grudge?: Grudge;
}

const defaultTopologies: TopologySpec[] = ['one', 'halves', 'majorities-ring'];

/** A grudge in words: "n1 cut off from n2-n5" for a clean split, else who drops whom. */
export function grudgeLabel(grudge: Grudge, nodes: readonly string[]): string {
  const cut = nodes.filter((n) => (grudge[n] ?? []).length > 0);
  if (cut.length === 0) return 'no partition';
  // A clean split: each node sees exactly the nodes that see what it sees (its component).
  const components: string[][] = [];
  for (const n of nodes) {
    const seen = visibleFrom(grudge, nodes, n);
    const same = components.find((c) => c.length === seen.length && c.every((x) => seen.includes(x)));
    if (same === undefined) components.push(seen);
  }
  const covers = components.reduce((k, c) => k + c.length, 0) === nodes.length;
  if (covers && components.length >= 2) {
    const bySize = [...components].sort((a, b) => a.length - b.length);
    if (bySize.length === 2)
      return `${nodeListLabel(bySize[0]!, nodes)} cut off from ${nodeListLabel(bySize[1]!, nodes)}`;
    return `split into ${bySize.map((c) => nodeListLabel(c, nodes)).join(' | ')}`;
  }
  return cut.map((n) => `${n} drops ${nodeListLabel(grudge[n] ?? [], nodes)}`).join('; ');
}

export const partitionFault: FaultPackage<'partition', typeof partitionCampaign, PartitionPlan, PlannedPartition> = {
  kind: 'partition',
  description:
    'network partitions (iptables): one, halves, random-halves, majorities-ring, bridge, minority-third, primary, or an explicit grudge',
  color: '#d9534f',
  lane: 'partition',
  names: ['partition'],
  mechanism(_name, features, _backend, network) {
    if (network !== undefined) return { available: true, via: "the system's own network" };
    if (!features.iptables) return { available: false, reason: 'iptables is missing or lacks NET_ADMIN on the nodes' };
    return {
      available: true,
      via: features.conntrack
        ? 'iptables DROP + conntrack -D'
        : 'iptables DROP (no conntrack tool: flows are dropped, not deleted)',
    };
  },
  needs: () => ['partition'],
  campaign: partitionCampaign,
  fromCampaign: (spec) => ({
    kind: 'partition',
    ...(spec.topologies !== undefined && { topologies: spec.topologies }),
  }),
  problems: (plan, nodes) =>
    (plan.topologies ?? defaultTopologies).flatMap((t) => topologyProblems(t, nodes).map((p) => `partition: ${p}`)),
  draw(plan, nodes, rng) {
    const topology = pick(rng, plan.topologies ?? defaultTopologies);
    // The primary is only known when the fault starts; every other grudge is fixed now, from the seed.
    return topology === 'primary'
      ? { kind: 'partition', topology }
      : { kind: 'partition', topology, grudge: grudgeFor(topology, nodes, { rng }) };
  },
  async prepare(ctx, fault) {
    const grudge = fault.grudge ?? isolatePrimaries(ctx.names, await ctx.resolve({ primary: true }));
    const nodes = Object.keys(grudge).filter((n) => (grudge[n] ?? []).length > 0);
    return {
      nodes,
      detail: { topology: toValue(fault.topology), grudge: toValue(grudge) },
      label: grudgeLabel(grudge, ctx.names),
      apply: () => (ctx.network !== undefined ? ctx.network.partition(grudge) : applyGrudge(ctx.remotes, grudge)),
    };
  },
  async stop(ctx, _fault, nodes) {
    await (ctx.network !== undefined ? ctx.network.partition({}) : healPartition(ctx.remotes));
    return { healed: [...nodes] };
  },
  heal: async (remote) => healedIf(await removeChain(remote, 'FAULTLINE')),
};
