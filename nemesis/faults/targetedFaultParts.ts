// The campaign entry, plan, problems and draw of a fault whose only parameter is which nodes it hits (kill,
// pause, client-partition), and the start of those that act through the system's hooks (kill and pause):
// written once, so the packages differ only in what they do to those nodes and how they undo it.
import { z } from 'zod';
import type { NodeSelector } from '../nodeSelection.ts';
import { pick, type Rng } from '../rng.ts';
import { targets as campaignTargets } from './campaignParts.ts';
import {
  nodeListLabel,
  planTargets,
  targetProblems,
  type FaultContext,
  type PlannedTargets,
  type PreparedStart,
} from './faultPackage.ts';
import type { ProcessHooks } from './process.ts';
import type { Remote } from '../../harness/nodes/remote.ts';

/** What a schedule draws from: node selections, one node when the campaign names none. */
export interface TargetedPlan<K extends string> {
  kind: K;
  targets?: readonly NodeSelector[];
}

/** One drawn fault: the nodes, or the primary, resolved when it starts. */
export interface PlannedTargeted<K extends string> {
  kind: K;
  targets: PlannedTargets;
}

export function targetedFaultParts<K extends string>(kind: K) {
  const campaign = z.strictObject({ kind: z.literal(kind), targets: campaignTargets });
  const selections = (plan: TargetedPlan<K>): readonly NodeSelector[] => plan.targets ?? ['one'];
  return {
    campaign,
    fromCampaign: (spec: z.output<typeof campaign>): TargetedPlan<K> => ({
      kind,
      ...(spec.targets !== undefined && { targets: spec.targets }),
    }),
    problems: (plan: TargetedPlan<K>, nodes: readonly string[]): string[] =>
      targetProblems(kind, selections(plan), nodes),
    draw: (plan: TargetedPlan<K>, nodes: readonly string[], rng: Rng): PlannedTargeted<K> => ({
      kind,
      targets: planTargets(pick(rng, selections(plan)), nodes, rng),
    }),
  };
}

/**
 * The targeted parts of a fault that acts through the system's hooks (kill, pause), with its lane, what it needs
 * and its start: `verb` ends the label ("n1, n2 killed"); `act` does it to the resolved nodes when the runner
 * applies the fault, after recording its start.
 */
export function hookFaultParts<K extends string>(
  kind: K,
  verb: string,
  act: (hooks: ProcessHooks, nodes: readonly string[], remotes: readonly Remote[]) => Promise<void>,
) {
  return {
    ...targetedFaultParts(kind),
    lane: 'process' as const,
    names: [kind],
    mechanism: () => ({ available: true as const, via: "the system's lifecycle hooks" }),
    needs: () => [kind],
    async prepare(ctx: FaultContext, fault: PlannedTargeted<K>): Promise<PreparedStart> {
      const nodes = await ctx.resolve(fault.targets);
      const hooks = ctx.hooks();
      return {
        nodes,
        detail: { nodes },
        label: `${nodeListLabel(nodes, ctx.names)} ${verb}`,
        apply: () => act(hooks, nodes, ctx.remotes),
      };
    },
  };
}
