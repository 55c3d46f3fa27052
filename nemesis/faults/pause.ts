// The pause fault package: the system on the drawn nodes is paused through its pause hook (SIGSTOP, as a rule)
// and resumed when the fault stops. pauseNodes notes on the node, before the pause acts, what heal needs to
// resume exactly the processes it stopped after a crash of the harness.
import { z } from 'zod';
import type { NodeSelector } from '../nodeSelection.ts';
import { pick } from '../rng.ts';
import { targets as campaignTargets } from './campaignParts.ts';
import {
  healedIf,
  nodeListLabel,
  planTargets,
  targetProblems,
  type FaultPackage,
  type PlannedTargets,
} from './faultPackage.ts';
import { pauseNodes, resumeLeftoverPauses, resumeNodes } from './process.ts';

const pauseCampaign = z.strictObject({ kind: z.literal('pause'), targets: campaignTargets });

export interface PausePlan {
  kind: 'pause';
  targets?: readonly NodeSelector[];
}

export interface PlannedPause {
  kind: 'pause';
  targets: PlannedTargets;
}

export const pauseFault: FaultPackage<'pause', typeof pauseCampaign, PausePlan, PlannedPause> = {
  kind: 'pause',
  description: 'SIGSTOP the system on some nodes, then SIGCONT',
  color: '#1f9bd1',
  lane: 'process',
  healsFirst: true,
  names: ['pause'],
  mechanism: () => ({ available: true, via: "the system's lifecycle hooks" }),
  needs: () => ['pause'],
  campaign: pauseCampaign,
  fromCampaign: (spec) => ({ kind: 'pause', ...(spec.targets !== undefined && { targets: spec.targets }) }),
  problems: (plan, nodes) => targetProblems('pause', plan.targets ?? ['one'], nodes),
  draw: (plan, nodes, rng) => ({ kind: 'pause', targets: planTargets(pick(rng, plan.targets ?? ['one']), nodes, rng) }),
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
