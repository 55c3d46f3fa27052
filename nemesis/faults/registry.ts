// Every fault kind faultline knows, once. The campaign schema, the schedule, availability, the runner and the
// report's labels and colours loop over this list; to add a fault kind, write its package (a module in this
// folder exporting a FaultPackage, with its test) and list it here.
import { clientPartitionFault } from './clientPartition.ts';
import { clockFault } from './clock.ts';
import type { FaultContext, FaultPackage, PreparedStart } from './faultPackage.ts';
import { killFault } from './kill.ts';
import { packetFault } from './packet.ts';
import { partitionFault } from './partition.ts';
import { pauseFault } from './pause.ts';
import { z } from 'zod';
import type { Value } from '../../checkers/history.ts';
import type { Rng } from '../rng.ts';

export const faultPackages = {
  partition: partitionFault,
  packet: packetFault,
  clock: clockFault,
  kill: killFault,
  pause: pauseFault,
  'client-partition': clientPartitionFault,
} as const;

type Packages = typeof faultPackages;
export type FaultKind = keyof Packages;

/** Each package's type parameters, by kind. */
type PackageTypes<K extends FaultKind> =
  Packages[K] extends FaultPackage<K, infer C, infer P, infer D>
    ? { campaign: z.output<C>; plan: P; planned: D }
    : never;

/** One kind of fault as the campaign file gives it. */
export type FaultCampaignSpec = { [K in FaultKind]: PackageTypes<K>['campaign'] }[FaultKind];
/** One kind of fault as the schedule draws from it. */
export type FaultPlan = { [K in FaultKind]: PackageTypes<K>['plan'] }[FaultKind];
/** One drawn fault, ready to start. */
export type PlannedFault = { [K in FaultKind]: PackageTypes<K>['planned'] }[FaultKind];

export const faultKinds = Object.keys(faultPackages) as FaultKind[];

type AnyPackage = FaultPackage<string, z.ZodObject, unknown, unknown>;

/**
 * The package of a kind, with its plan and planned types erased: each value passed to it is of that kind by
 * construction (its `kind` says so), which TypeScript cannot correlate across a union.
 */
export function faultPackage(kind: FaultKind): AnyPackage {
  return faultPackages[kind];
}

export function isFaultKind(kind: string): kind is FaultKind {
  return Object.hasOwn(faultPackages, kind);
}

/** The campaign file's fault entry: one of the packages' parts, told apart by `kind`. */
export const faultCampaignSchema = z.discriminatedUnion(
  'kind',
  // Registry order; the cast says the list is non-empty, which the registry above guarantees.
  faultKinds.map((k) => faultPackages[k].campaign) as unknown as [
    Packages[FaultKind]['campaign'],
    ...Packages[FaultKind]['campaign'][],
  ],
);

export function planFromCampaign(spec: FaultCampaignSpec, durationMs: (text: string) => number): FaultPlan {
  return faultPackage(spec.kind).fromCampaign(spec, durationMs) as FaultPlan;
}

export function drawFault(plan: FaultPlan, nodes: readonly string[], rng: Rng, holdMs: number): PlannedFault {
  return faultPackage(plan.kind).draw(plan, nodes, rng, holdMs) as PlannedFault;
}

export function prepareFault(ctx: FaultContext, fault: PlannedFault): Promise<PreparedStart> {
  return faultPackage(fault.kind).prepare(ctx, fault);
}

export function stopFault(
  ctx: FaultContext,
  fault: PlannedFault,
  nodes: readonly string[],
): Promise<Record<string, Value>> {
  return faultPackage(fault.kind).stop(ctx, fault, nodes);
}

/** Each kind's colour, for whoever draws faults without reading a history (e.g. a legend). */
export function faultColors(): Record<FaultKind, string> {
  return Object.fromEntries(faultKinds.map((k) => [k, faultPackages[k].color])) as Record<FaultKind, string>;
}
