// The kill fault package: the system on the drawn nodes is killed through its kill hook and started again
// (waiting for ready) when the fault stops. A marker on the node, written before the kill, lets heal find a
// node a crashed harness left down.
import type { FaultPackage } from './faultPackage.ts';
import { hookFaultParts, type PlannedTargeted, type TargetedPlan } from './targetedFaultParts.ts';
import { killedByFault, killNodes, restartNodes } from './process.ts';

const parts = hookFaultParts('kill', 'killed', killNodes);

export type KillPlan = TargetedPlan<'kill'>;
export type PlannedKill = PlannedTargeted<'kill'>;

export const killFault: FaultPackage<'kill', typeof parts.campaign, KillPlan, PlannedKill> = {
  kind: 'kill',
  description: 'kill -9 the system on some nodes, then restart it',
  color: '#7b61ff',
  ...parts,
  async stop(ctx, _fault, nodes) {
    await restartNodes(
      ctx.hooks(),
      nodes,
      ctx.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: ctx.readyTimeoutMs },
      ctx.remotes,
    );
    return { nodes: [...nodes], restarted: true };
  },
  // Starting a system needs its hooks: the node left down is reported here, and healAll starts it again when
  // given them (clean --heal loads them from the run's campaign).
  heal: async (remote) => ((await killedByFault(remote)) ? 'left' : 'clean'),
};
