// The pause fault package: the system on the drawn nodes is paused through its pause hook (SIGSTOP, as a rule)
// and resumed when the fault stops. pauseNodes notes on the node, before the pause acts, what heal needs to
// resume exactly the processes it stopped after a crash of the harness.
import { healedIf, nodeListLabel, type FaultPackage } from './faultPackage.ts';
import { targetedFaultParts, type PlannedTargeted, type TargetedPlan } from './targetedFaultParts.ts';
import { pauseNodes, resumeLeftoverPauses, resumeNodes } from './process.ts';

const parts = targetedFaultParts('pause');

export type PausePlan = TargetedPlan<'pause'>;
export type PlannedPause = PlannedTargeted<'pause'>;

export const pauseFault: FaultPackage<'pause', typeof parts.campaign, PausePlan, PlannedPause> = {
  kind: 'pause',
  description: 'SIGSTOP the system on some nodes, then SIGCONT',
  color: '#1f9bd1',
  lane: 'process',
  healsFirst: true,
  names: ['pause'],
  mechanism: () => ({ available: true, via: "the system's lifecycle hooks" }),
  needs: () => ['pause'],
  ...parts,
  async prepare(ctx, fault) {
    const nodes = await ctx.resolve(fault.targets);
    const hooks = ctx.hooks();
    return {
      nodes,
      detail: { nodes },
      label: `${nodeListLabel(nodes, ctx.names)} paused`,
      apply: () => pauseNodes(hooks, ctx.remotes, nodes),
    };
  },
  async stop(ctx, _fault, nodes) {
    await resumeNodes(ctx.hooks(), ctx.remotes, nodes);
    return { nodes: [...nodes] };
  },
  heal: async (remote) => healedIf((await resumeLeftoverPauses(remote)) > 0),
};
