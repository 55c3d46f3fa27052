// The campaign entry, plan, problems and draw of a fault whose only parameter is which nodes it hits (kill and
// pause): written once, so the two packages differ only in what they do to those nodes.
import { z } from 'zod';
import type { NodeSelector } from '../nodeSelection.ts';
import { pick, type Rng } from '../rng.ts';
import { targets as campaignTargets } from './campaignParts.ts';
import { planTargets, targetProblems, type PlannedTargets } from './faultPackage.ts';

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
