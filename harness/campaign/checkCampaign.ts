// Checks that need more than the schema: a mix naming ops the workload has, checkers that exist.
// The system name is checked when it is loaded (it may be a path to a module).
import { getWorkload } from '../workloads/index.ts';
import { faultPackage, fixedScheduleProblems, planFromCampaign } from '../../nemesis/index.ts';
import { durationMs, type CampaignSpec } from './campaignSchema.ts';
import type { CampaignProblem, Locate } from './loadCampaign.ts';
import { checkerNamesForWorkloadModel, defaultCheckers, knownCheckerNames } from './checkerNames.ts';

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
  problems.push(...checkerProblems(c, file, locate));
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
  // Each fault that names its topologies or targets, against the cluster's node names, found before any node is
  // created, so a name drawn late in the run (or never) is still caught. A target naming a node that is not
  // there is reported at its own line and field; otherwise the fault's package says what is wrong (an explicit
  // grudge naming an unknown node, a topology too big for the cluster). Defaults are left to the run, which has
  // always accepted them (e.g. 'minority' on one node).
  const nodeNames =
    c.nodes.backend === 'ssh'
      ? c.nodes.hosts.map((h, i) => h.name ?? `n${i + 1}`)
      : Array.from({ length: c.nodes.count }, (_, i) => `n${i + 1}`);
  c.nemesis.faults.forEach((f, i) => {
    const unknownTargets: CampaignProblem[] = [];
    if ('targets' in f && f.targets !== undefined)
      f.targets.forEach((selector, j) => {
        if (!Array.isArray(selector)) return;
        selector.forEach((name, k) => {
          if (nodeNames.includes(name)) return;
          unknownTargets.push({
            message: `no node is named "${name}"`,
            field: `nemesis.faults.${i}.targets.${j}.${k}`,
            location: { file, ...locate(['nemesis', 'faults', i, 'targets', j, k]) },
            hint: `the nodes are ${nodeNames.join(', ')}`,
          });
        });
      });
    problems.push(...unknownTargets);
    const explicit = ('topologies' in f && f.topologies !== undefined) || ('targets' in f && f.targets !== undefined);
    if (!explicit || unknownTargets.length > 0) return;
    for (const message of faultPackage(f.kind).problems(planFromCampaign(f, durationMs), nodeNames)) {
      problems.push({
        message,
        field: `nemesis.faults.${i}`,
        location: { file, ...locate(['nemesis', 'faults', i]) },
        hint: `the nodes are ${nodeNames.join(', ')}`,
      });
    }
  });
  problems.push(...scheduleTimeProblems(c, file, locate));
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

/**
 * Every checker named must exist and judge the workload's histories, and a campaign that names none must get
 * one by default: a run that checks nothing would say nothing, so it is refused before it starts.
 */
function checkerProblems(c: CampaignSpec, file: string, locate: Locate): CampaignProblem[] {
  const problems: CampaignProblem[] = [];
  const known = knownCheckerNames();
  const workload = getWorkload(c.workload.name);
  const judging = workload === undefined ? undefined : checkerNamesForWorkloadModel(workload.model);
  const judgingHint = (w: { name: string; model: string }, names: readonly string[]) =>
    names.length === 0
      ? `no checker in this version of faultline judges ${w.model} histories; choose another workload`
      : `checkers for the ${w.name} workload: ${names.join(', ')}`;
  if (c.checkers !== undefined) {
    c.checkers.forEach((name, i) => {
      const at = { field: `checkers.${i}`, location: { file, ...locate(['checkers', i]) } };
      if (!known.includes(name)) {
        problems.push({ message: `unknown checker "${name}"`, ...at, hint: `allowed: ${known.join(', ')}` });
      } else if (workload !== undefined && judging !== undefined && !judging.includes(name)) {
        problems.push({
          message: `the ${name} checker cannot judge histories of the ${workload.name} workload (${workload.model} ops)`,
          ...at,
          hint: judgingHint(workload, judging),
        });
      }
    });
    if (c.checkers.length === 0) {
      problems.push({
        message: 'no checker is named, so the run would verify nothing',
        field: 'checkers',
        location: { file, ...locate(['checkers']) },
        hint: 'leave `checkers` out for the workload’s defaults, or name one',
      });
    }
  } else if (workload !== undefined) {
    const mix = c.workload.mix ?? workload.defaultMix;
    const defaults = defaultCheckers(
      workload.model,
      Object.keys(mix).filter((f) => (mix[f] ?? 0) > 0),
    );
    if (defaults.length === 0) {
      problems.push({
        message: `no checker in this version of faultline judges the ${workload.name} workload, so the run would verify nothing`,
        field: 'workload.name',
        location: { file, ...locate(['workload', 'name']) },
        hint: judgingHint(workload, judging ?? []),
      });
    }
  }
  return problems;
}

/** nemesis.minHold and nemesis.schedule against the fault window and the faults listed. */
function scheduleTimeProblems(c: CampaignSpec, file: string, locate: Locate): CampaignProblem[] {
  const problems: CampaignProblem[] = [];
  const windowMs = durationMs(c.phases.faults);
  const { minHold, schedule } = c.nemesis;
  if (minHold !== undefined && durationMs(minHold) > windowMs)
    problems.push({
      message: `minHold ${minHold} is longer than the fault window (${c.phases.faults}), so no fault could start`,
      field: 'nemesis.minHold',
      location: { file, ...locate(['nemesis', 'minHold']) },
      hint: 'lengthen phases.faults or shorten minHold',
    });
  if (schedule === undefined) return problems;
  if (c.nemesis.faults.length === 0)
    problems.push({
      message: 'a fault schedule needs faults to schedule',
      field: 'nemesis.schedule',
      location: { file, ...locate(['nemesis', 'schedule']) },
      hint: 'list the faults in nemesis.faults',
    });
  const spec = {
    faults: c.nemesis.faults.map((f) => planFromCampaign(f, durationMs)),
    intervalMs: durationMs(c.nemesis.interval),
    durationMs: windowMs,
    overlap: c.nemesis.overlap,
  };
  const fixed = schedule.map((e) => ({
    startMs: durationMs(e.start),
    stopMs: durationMs(e.stop),
    ...(e.fault !== undefined && { fault: e.fault }),
  }));
  for (const message of fixedScheduleProblems(spec, fixed)) {
    const entry = Number(/^schedule\.(\d+)/.exec(message)?.[1] ?? 0);
    problems.push({
      message: message.replace(/^schedule\.\d+:? ?/, ''),
      field: `nemesis.schedule.${entry}`,
      location: { file, ...locate(['nemesis', 'schedule', entry]) },
      hint: `times are from the start of the fault window (phases.faults: ${c.phases.faults})`,
    });
  }
  return problems;
}
