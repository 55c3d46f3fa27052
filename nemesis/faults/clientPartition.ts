// The client-partition fault package: the harness's clients are cut off from some nodes while the nodes still
// talk to each other. The clients run on the controller, so each target node drops every packet from the
// controller's address (as that node sees it) in a chain of its own, FAULTLINE-CLIENTS, which a node-to-node
// partition (FAULTLINE) never replaces: the two can overlap. The harness reaches docker nodes through the
// engine, not their network, so it can still heal them; on ssh hosts the cut would take the harness's own ssh
// connection, so the kind is unavailable there.
import { tryExec } from '../_internals/exec.ts';
import { removeChain, replaceChainRules } from '../_internals/iptablesChain.ts';
import { onEveryNode } from '../_internals/onEveryNode.ts';
import { healedIf, nodeListLabel, type FaultPackage } from './faultPackage.ts';
import { targetedFaultParts, type PlannedTargeted, type TargetedPlan } from './targetedFaultParts.ts';

const parts = targetedFaultParts('client-partition');

export type ClientPartitionPlan = TargetedPlan<'client-partition'>;
export type PlannedClientPartition = PlannedTargeted<'client-partition'>;

export const clientPartitionFault: FaultPackage<
  'client-partition',
  typeof parts.campaign,
  ClientPartitionPlan,
  PlannedClientPartition
> = {
  kind: 'client-partition',
  description: "cut the harness's clients (the controller) off from some nodes (iptables); the nodes still talk",
  color: '#e377c2',
  lane: 'client-partition',
  names: ['client-partition'],
  mechanism(_name, features, backend) {
    if (backend === 'ssh')
      return {
        available: false,
        reason:
          "dropping the controller's packets on an ssh host would cut the harness's own ssh connection (docker only)",
      };
    if (!features.iptables) return { available: false, reason: 'iptables is missing or lacks NET_ADMIN on the nodes' };
    return { available: true, via: "iptables DROP of the controller's address" };
  },
  needs: () => ['client-partition'],
  ...parts,
  async prepare(ctx, fault) {
    const nodes = await ctx.resolve(fault.targets);
    const controller = ctx.controllerAddress;
    if (controller === undefined) throw new Error("the controller's address as the nodes see it is not known");
    const targets = ctx.remotes.filter((r) => nodes.includes(r.name));
    return {
      nodes,
      detail: { nodes, controller },
      label: `clients cut off from ${nodeListLabel(nodes, ctx.names)}`,
      apply: () =>
        onEveryNode(targets, async (remote) => {
          await replaceChainRules(remote, 'FAULTLINE-CLIENTS', [['-s', controller, '-j', 'DROP']]);
          // Established client connections are cut too, not only new ones (best effort, as for partitions).
          await tryExec(remote, ['conntrack', '-D', '-s', controller]);
        }),
    };
  },
  async stop(ctx, _fault, nodes) {
    await onEveryNode(
      ctx.remotes.filter((r) => nodes.includes(r.name)),
      async (remote) => {
        await removeChain(remote, 'FAULTLINE-CLIENTS');
      },
    );
    return { healed: [...nodes] };
  },
  heal: async (remote) => healedIf(await removeChain(remote, 'FAULTLINE-CLIENTS')),
};
