// Removes every fault faultline could have left on the nodes: each fault package heals its own kind from the
// node alone (the partition chain, the packet-loss chain and qdiscs, clock skew and, on ssh hosts, the moved
// real clock, processes a pause left stopped), so it heals a previous run that crashed as well as this one:
// used at the end of the fault window, on error, on Ctrl-C and by `faultline clean`. Idempotent, safe when
// nothing is there; one failing step never stops the others. A system a kill fault stopped needs the
// system's start hook: given the hooks (`restart`, loaded from the run's campaign by `clean --heal`), it is
// started again once everything else is healed; without them it is reported ('left').
import type { Remote } from '../harness/nodes/remote.ts';
import type { HealOptions } from './faults/faultPackage.ts';
import { restartNodes } from './faults/process.ts';
import type { ProcessHooks } from './faults/process.ts';
import { faultKinds, faultPackage } from './faults/registry.ts';

export interface HealAllOptions extends HealOptions {
  /**
   * The system's hooks bound to node names: a node a kill fault left down is started and waited for (ready),
   * then its marker removed. Absent: such a node is reported in `left`.
   */
  restart?: { hooks: Pick<ProcessHooks, 'start' | 'ready'>; readyTimeoutMs?: number };
}

export interface NodeHealReport {
  node: string;
  /** What was found and removed, by fault kind: 'partition', 'packet', 'clock', 'pause'. */
  healed: string[];
  /** Steps that failed, with why; the other steps still ran. */
  errors: string[];
  /**
   * What heal found but cannot undo without the system's hooks: 'kill' when a kill fault left the system
   * down (the harness was stopped before starting it again). With `restart`, only when starting it failed.
   */
  left: string[];
  /** With `restart`: the system a kill fault left down was started again and is ready (absent otherwise). */
  restarted?: true;
}

/** Paused processes first: a stopped process cannot notice its network heal. */
const healOrder = [...faultKinds].sort(
  (a, b) => Number(faultPackage(b).healsFirst === true) - Number(faultPackage(a).healsFirst === true),
);

async function healNode(remote: Remote, options: HealAllOptions): Promise<NodeHealReport> {
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
  // Last, so the restarted system meets a healed network and resumed peers.
  if (options.restart !== undefined && report.left.includes('kill'))
    await restartKilled(remote, options.restart, report);
  return report;
}

/**
 * Starts the system a kill fault left down on this node and waits for it to be ready (restartNodes removes the
 * marker once started); updates the node's report: restarted, or an error and 'kill' still left.
 */
export async function restartKilled(
  remote: Remote,
  restart: NonNullable<HealAllOptions['restart']>,
  report: NodeHealReport,
): Promise<void> {
  const { hooks, readyTimeoutMs } = restart;
  try {
    const timeout = readyTimeoutMs === undefined ? {} : { readyTimeoutMs };
    await restartNodes({ kill: unused, pause: unused, resume: unused, ...hooks }, [remote.name], timeout, [remote]);
    report.left = report.left.filter((k) => k !== 'kill');
    report.restarted = true;
  } catch (error) {
    report.errors.push(`kill: starting the system again failed: ${(error as Error).message}`);
  }
}

/** Restarting calls only start and ready. */
const unused = (): Promise<void> => Promise.reject(new Error('not used by a restart'));

/** Heals every node at once; resolves with what each had and what could not be healed. */
export async function healAll(remotes: readonly Remote[], options: HealAllOptions = {}): Promise<NodeHealReport[]> {
  return Promise.all(remotes.map((r) => healNode(r, options)));
}

/** True when every step on every node succeeded. */
export function healedCleanly(reports: readonly NodeHealReport[]): boolean {
  return reports.every((r) => r.errors.length === 0);
}
