// The pause fault package: the system on the drawn nodes is paused through its pause hook (SIGSTOP, as a rule)
// and resumed when the fault stops. pauseNodes notes on the node, before the pause acts, what heal needs to
// resume exactly the processes it stopped after a crash of the harness.
import { healedIf, type FaultPackage } from './faultPackage.ts';
import { hookFaultParts, type PlannedTargeted, type TargetedPlan } from './targetedFaultParts.ts';
import { pauseNodes, resumeLeftoverPauses, resumeNodes } from './process.ts';

const parts = hookFaultParts('pause', 'paused', (hooks, nodes, remotes) => pauseNodes(hooks, remotes, nodes));

export type PausePlan = TargetedPlan<'pause'>;
export type PlannedPause = PlannedTargeted<'pause'>;

export const pauseFault: FaultPackage<'pause', typeof parts.campaign, PausePlan, PlannedPause> = {
  kind: 'pause',
  description: 'SIGSTOP the system on some nodes, then SIGCONT',
  color: '#1f9bd1',
  healsFirst: true,
  ...parts,
  async stop(ctx, _fault, nodes) {
    await resumeNodes(ctx.hooks(), ctx.remotes, nodes);
    return { nodes: [...nodes] };
  },
  heal: async (remote) => healedIf((await resumeLeftoverPauses(remote)) > 0),
};
