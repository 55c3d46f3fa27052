// Which faults can run on these nodes, how, and if not, why. One pure function over probed kernel features,
// so campaign validation, `doctor` and a run's results all give the same answer: a fault that cannot run
// is reported as unavailable with its reason, never silently skipped. Each fault package says how each of
// its names is done (nemesis/faults/registry.ts); this module only asks them.
import type { FaultBackend, KernelFeatures, SystemNetworkFaults } from './faults/faultPackage.ts';
import { packetBehaviorNames, type PacketBehaviorName } from './faults/packet.ts';
import { faultKinds, faultPackage } from './faults/registry.ts';

export type { KernelFeatures } from './faults/faultPackage.ts';
export { packetBehaviorNames, type PacketBehaviorName };

/** Every availability name, in registry order: a kind, or for packet faults each behaviour. */
export const faultNames: readonly string[] = faultKinds.flatMap((k) => faultPackage(k).names);
/** One of faultNames: whatever the packages name, so a new package needs no edit here. */
export type FaultName = string;

export interface FaultAvailability {
  fault: FaultName;
  available: boolean;
  /** How it is done here, e.g. 'tc netem' or 'iptables statistic (fallback: no correlation)'. */
  via?: string;
  /** Why not, and what would make it available. */
  reason?: string;
}

export interface AvailabilityOptions {
  /** docker: clocks are skewed per process with libfaketime; ssh: the real clock may be set. Default docker. */
  backend?: FaultBackend;
  /** The system's own network, when it is one: partitions and the packet behaviours it does run on it. */
  network?: Pick<SystemNetworkFaults, 'packetBehaviors'>;
}

function one(fault: FaultName, features: KernelFeatures, options: AvailabilityOptions): FaultAvailability {
  const kind = faultKinds.find((k) => faultPackage(k).names.includes(fault));
  if (kind === undefined) return { fault, available: false, reason: `no fault package provides '${fault}'` };
  const m = faultPackage(kind).mechanism(fault, features, options.backend ?? 'docker', options.network);
  return m.available ? { fault, available: true, via: m.via } : { fault, available: false, reason: m.reason };
}

/** For each requested fault: available or not, how, or why not. Order follows the request; duplicates are dropped. */
export function faultAvailability(
  features: KernelFeatures,
  requested: readonly FaultName[],
  options: AvailabilityOptions = {},
): FaultAvailability[] {
  return [...new Set(requested)].map((f) => one(f, features, options));
}

/** The unavailable ones as sentences, for validation errors, `doctor` and the run's results. */
export function describeUnavailable(availability: readonly FaultAvailability[]): string[] {
  return availability
    .filter((a) => !a.available)
    .map((a) => `${a.fault}: unavailable: ${a.reason ?? 'unknown reason'}`);
}

/** The shape of harness/nodes/features.ts's probe (each feature with what was seen), as far as used here. */
export interface ProbedFeatures {
  netem: { available: boolean };
  tbf: { available: boolean };
  htb: { available: boolean };
  iptables: { available: boolean };
  iptablesStatistic: { available: boolean };
  conntrack: { available: boolean };
  faketime: { available: boolean };
}

/** KernelFeatures from `probeKernelFeatures(remote)` (harness/nodes/features.ts). */
export function kernelFeaturesFromProbe(probe: ProbedFeatures): KernelFeatures {
  return {
    netem: probe.netem.available,
    tbf: probe.tbf.available,
    htb: probe.htb.available,
    iptables: probe.iptables.available,
    statistic: probe.iptablesStatistic.available,
    conntrack: probe.conntrack.available,
    faketime: probe.faketime.available,
  };
}
