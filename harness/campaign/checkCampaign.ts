// Checks that need more than the schema: a mix naming ops the workload has, checkers that exist.
// The system name is checked when it is loaded (it may be a path to a module).
import { getWorkload } from '../workloads/index.ts';
import type { CampaignSpec } from './campaignSchema.ts';
import type { CampaignProblem, Locate } from './loadCampaign.ts';
import { knownCheckerNames } from './checkerNames.ts';

export function checkCampaignSemantics(
  c: CampaignSpec,
  file: string,
  locate: Locate,
  /** Whether the file itself sets a field (defaults filled in by the schema do not count). */
  given: (path: readonly (string | number)[]) => boolean = () => false,
): CampaignProblem[] {
  const problems: CampaignProblem[] = [];
  const workload = getWorkload(c.workload.name);
  if (workload !== undefined && !workload.multiKey && given(['workload', 'keys'])) {
    problems.push({
      message: `the ${workload.name} workload has a single key, so keys does nothing`,
      field: 'workload.keys',
      location: { file, ...locate(['workload', 'keys']) },
      hint: 'remove keys, or use a multi-key workload such as key-value',
    });
  }
  // Explicit node names in fault targets: checked here, so a name drawn late in the run (or never) is still
  // caught before any node exists.
  const nodeNames =
    c.nodes.backend === 'ssh'
      ? c.nodes.hosts.map((h, i) => h.name ?? `n${i + 1}`)
      : Array.from({ length: c.nodes.count }, (_, i) => `n${i + 1}`);
  c.nemesis.faults.forEach((f, i) => {
    if (!('targets' in f) || f.targets === undefined) return;
    f.targets.forEach((selector, j) => {
      if (!Array.isArray(selector)) return;
      selector.forEach((name, k) => {
        if (nodeNames.includes(name)) return;
        problems.push({
          message: `no node is named "${name}"`,
          field: `nemesis.faults.${i}.targets.${j}.${k}`,
          location: { file, ...locate(['nemesis', 'faults', i, 'targets', j, k]) },
          hint: `the nodes are ${nodeNames.join(', ')}`,
        });
      });
    });
  });
  if (workload !== undefined && c.workload.mix !== undefined) {
    for (const f of Object.keys(c.workload.mix)) {
      if (!workload.fs.includes(f)) {
        problems.push({
          message: `the ${workload.name} workload has no op "${f}"`,
          field: `workload.mix.${f}`,
          location: { file, ...locate(['workload', 'mix'], f) },
          hint: `allowed: ${workload.fs.join(', ')}`,
        });
      }
    }
    if (Object.values(c.workload.mix).every((w) => w === 0)) {
      problems.push({
        message: 'every weight is 0, so no op could be drawn',
        field: 'workload.mix',
        location: { file, ...locate(['workload', 'mix']) },
        hint: 'give at least one op a positive weight',
      });
    }
  }
  const known = knownCheckerNames();
  if (c.checkers !== undefined && known.length > 0) {
    c.checkers.forEach((name, i) => {
      if (!known.includes(name)) {
        problems.push({
          message: `unknown checker "${name}"`,
          field: `checkers.${i}`,
          location: { file, ...locate(['checkers', i]) },
          hint: `allowed: ${known.join(', ')}`,
        });
      }
    });
  }
  const clockFaults = c.nemesis.faults.flatMap((f, i) => (f.kind === 'clock' ? [{ f, i }] : []));
  for (const { f, i } of clockFaults.filter(({ f }) => f.realClock)) {
    const at = { file, ...locate(['nemesis', 'faults', i, 'realClock']) };
    const field = `nemesis.faults.${i}.realClock`;
    if (c.nodes.backend !== 'ssh')
      problems.push({
        message: `the real clock can only be moved on ssh hosts, not on ${c.nodes.backend} nodes`,
        field,
        location: at,
        hint: "containers and local nodes share this machine's clock; leave realClock out to use libfaketime",
      });
    if (f.modes !== undefined && f.modes.some((m) => m !== 'bump'))
      problems.push({ message: 'the real clock is only bumped', field, location: at, hint: 'use modes: [bump]' });
    if (clockFaults.some(({ f: other }) => !other.realClock))
      problems.push({
        message: 'every clock fault of a campaign moves the real clock, or none does',
        field,
        location: at,
      });
  }
  if (c.nodes.backend === 'ssh') {
    const names = c.nodes.hosts.map((h, i) => h.name ?? `n${i + 1}`);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) {
        problems.push({
          message: `node name "${name}" is used twice`,
          field: `nodes.hosts.${i}.name`,
          location: { file, ...locate(['nodes', 'hosts', i]) },
        });
      }
    });
  }
  return problems;
}
