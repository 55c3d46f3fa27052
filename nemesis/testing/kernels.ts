// Kernel feature sets for tests of the nemesis: what environment.md says this machine kind offers (everything
// but netem), to derive other kernels from with a spread.
import type { KernelFeatures } from '../faultAvailability.ts';

export const kernelWithoutNetem: Readonly<KernelFeatures> = {
  netem: false,
  tbf: true,
  htb: true,
  iptables: true,
  statistic: true,
  conntrack: true,
  faketime: true,
};
