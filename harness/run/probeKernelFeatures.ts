// What the nemesis can use on the nodes, probed on one node by harness/remote/features.ts (one exec round
// trip) and reduced to the booleans nemesis/faultAvailability.ts decides from.
import type { KernelFeatures } from '../../nemesis/faultAvailability.ts';
import { probeKernelFeatures as probeNode } from '../remote/features.ts';
import type { Remote } from '../remote/remote.ts';

export async function probeKernelFeatures(node: Remote): Promise<KernelFeatures> {
  const f = await probeNode(node);
  return {
    netem: f.netem.available,
    tbf: f.tbf.available,
    htb: f.htb.available,
    iptables: f.iptables.available,
    statistic: f.iptablesStatistic.available,
    conntrack: f.conntrack.available,
    faketime: f.faketime.available,
  };
}
