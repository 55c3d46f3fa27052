// Removes every fault faultline could have left on the nodes: the partition chain, the packet-loss chain,
// faultline's qdiscs, clock skew (the strobe/drift loop and the faketime offset; on ssh hosts the moved real
// clock), and processes a pause left stopped. It needs nothing but the Remotes, so it heals a previous run
// that crashed as well as this one: used at the end of the fault window, on error, on Ctrl-C and by
// `faultline clean`. Idempotent, safe when nothing is there; one failing step never stops the others.
import type { Remote } from '../harness/nodes/remote.ts';
import { removeChain } from './_internals/iptablesChain.ts';
import { resetClock, restoreSystemClock } from './faults/clock.ts';
import { healPacketFaultOn } from './faults/packet.ts';
import { resumeLeftoverPauses } from './faults/process.ts';

export interface HealAllOptions {
  /** 'ssh' also restores a real clock faultline moved. Never 'ssh' for containers: they share the host's clock. */
  backend?: 'docker' | 'ssh';
  /** The faketime control file, when not the default. */
  clockFile?: string;
}

export interface NodeHealReport {
  node: string;
  /** What was found and removed: 'partition', 'packet', 'clock', 'pause'. */
  healed: string[];
  /** Steps that failed, with why; the other steps still ran. */
  errors: string[];
}

async function healNode(remote: Remote, options: HealAllOptions): Promise<NodeHealReport> {
  const report: NodeHealReport = { node: remote.name, healed: [], errors: [] };
  const step = async (what: string, action: () => Promise<boolean>) => {
    try {
      if (await action()) report.healed.push(what);
    } catch (error) {
      report.errors.push(`${what}: ${(error as Error).message}`);
    }
  };
  // Paused processes first: a stopped process cannot notice its network heal.
  await step('pause', async () => (await resumeLeftoverPauses(remote)) > 0);
  await step('partition', () => removeChain(remote, 'FAULTLINE'));
  await step('packet', () => healPacketFaultOn(remote));
  await step('clock', async () => {
    const skewed = await resetClock(remote, options.clockFile === undefined ? {} : { file: options.clockFile });
    const moved = options.backend === 'ssh' ? await restoreSystemClock(remote) : false;
    return skewed || moved;
  });
  return report;
}

/** Heals every node at once; resolves with what each had and what could not be healed. */
export async function healAll(remotes: readonly Remote[], options: HealAllOptions = {}): Promise<NodeHealReport[]> {
  return Promise.all(remotes.map((r) => healNode(r, options)));
}

/** True when every step on every node succeeded. */
export function healedCleanly(reports: readonly NodeHealReport[]): boolean {
  return reports.every((r) => r.errors.length === 0);
}
