// Which faults can run on these nodes, how, and if not, why. One pure function over probed kernel features,
// so campaign validation, `doctor` and a run's results all give the same answer: a fault that cannot run
// is reported as unavailable with its reason, never silently skipped.

/** What the nodes' kernel and image offer the nemesis (as probed on one node). */
export interface KernelFeatures {
  /** `tc qdisc ... netem` works (CONFIG_NET_SCH_NETEM). */
  netem: boolean;
  /** `tc qdisc ... tbf` works. */
  tbf: boolean;
  /** `tc qdisc ... htb` and the u32 classifier work (per-peer shaping). */
  htb: boolean;
  /** iptables runs and may change the filter table (NET_ADMIN). */
  iptables: boolean;
  /** iptables' `statistic` match (random drop). */
  statistic: boolean;
  /** The conntrack tool, to cut established flows. */
  conntrack: boolean;
  /** libfaketime is installed (per-process clocks). */
  faketime: boolean;
}

export const packetBehaviorNames = ['delay', 'loss', 'duplicate', 'corrupt', 'reorder', 'rate'] as const;
export type PacketBehaviorName = (typeof packetBehaviorNames)[number];

export const faultNames = ['partition', ...packetBehaviorNames, 'clock', 'kill', 'pause'] as const;
export type FaultName = (typeof faultNames)[number];

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
  backend?: 'docker' | 'ssh';
}

const noNetem =
  "tc netem is not in this kernel (CONFIG_NET_SCH_NETEM is off: 'Specified qdisc kind is unknown'); run on a kernel with netem (most distributions, Docker Desktop)";

function one(fault: FaultName, features: KernelFeatures, backend: 'docker' | 'ssh'): FaultAvailability {
  const no = (reason: string): FaultAvailability => ({ fault, available: false, reason });
  const yes = (via: string): FaultAvailability => ({ fault, available: true, via });
  switch (fault) {
    case 'partition':
      if (!features.iptables) return no('iptables is missing or lacks NET_ADMIN on the nodes');
      return yes(
        features.conntrack
          ? 'iptables DROP + conntrack -D'
          : 'iptables DROP (no conntrack tool: flows are dropped, not deleted)',
      );
    case 'loss':
      if (features.netem) return yes('tc netem');
      if (features.iptables && features.statistic) return yes('iptables statistic (fallback: no correlation)');
      return no(`${noNetem}, and the iptables statistic match is not available either`);
    case 'rate':
      if (features.netem) return yes('tc netem');
      if (features.tbf && features.htb) return yes('tc tbf under htb (fallback)');
      return no(`${noNetem}, and tbf/htb are not available either`);
    case 'delay':
    case 'duplicate':
    case 'corrupt':
    case 'reorder':
      return features.netem ? yes('tc netem') : no(`${noNetem}; ${fault} has no fallback`);
    case 'clock':
      if (backend === 'ssh') return yes('date -s (the real clock), restored at heal');
      return features.faketime
        ? yes("libfaketime control file (the system's processes run under NodeContext.clockEnv)")
        : no('libfaketime is not installed on the nodes (Debian: faketime, libfaketime)');
    case 'kill':
    case 'pause':
      return yes("the system's lifecycle hooks");
  }
}

/** For each requested fault: available or not, how, or why not. Order follows the request; duplicates are dropped. */
export function faultAvailability(
  features: KernelFeatures,
  requested: readonly FaultName[],
  options: AvailabilityOptions = {},
): FaultAvailability[] {
  return [...new Set(requested)].map((f) => one(f, features, options.backend ?? 'docker'));
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
