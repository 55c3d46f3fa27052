// Removes every fault faultline could have left on the nodes: each fault package heals its own kind from the
// node alone (the partition chain, the packet-loss chain and qdiscs, clock skew and, on ssh hosts, the moved
// real clock, processes a pause left stopped), so it heals a previous run that crashed as well as this one:
// used at the end of the fault window, on error, on Ctrl-C and by `faultline clean`. Idempotent, safe when
// nothing is there; one failing step never stops the others. A system a kill fault stopped needs the
// system's start hook, which only a run has: it is reported, not restarted.
import type { Remote } from '../harness/nodes/remote.ts';
import type { HealOptions } from './faults/faultPackage.ts';
import { faultKinds, faultPackage } from './faults/registry.ts';

export type HealAllOptions = HealOptions;

export interface NodeHealReport {
  node: string;
  /** What was found and removed, by fault kind: 'partition', 'packet', 'clock', 'pause'. */
  healed: string[];
  /** Steps that failed, with why; the other steps still ran. */
  errors: string[];
  /**
   * What heal found but cannot undo without the system's hooks: 'kill' when a kill fault left the system
   * down (the harness was stopped before starting it again).
   */
  left: string[];
}

/** Paused processes first: a stopped process cannot notice its network heal. */
const healOrder = [...faultKinds].sort(
  (a, b) => Number(faultPackage(b).healsFirst === true) - Number(faultPackage(a).healsFirst === true),
);

async function healNode(remote: Remote, options: HealOptions): Promise<NodeHealReport> {
  const report: NodeHealReport = { node: remote.name, healed: [], errors: [], left: [] };
  for (const kind of healOrder) {
    try {
      const outcome = await faultPackage(kind).heal(remote, options);
      if (outcome === 'healed') report.healed.push(kind);
      if (outcome === 'left') report.left.push(kind);
    } catch (error) {
      report.errors.push(`${kind}: ${(error as Error).message}`);
    }
  }
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
