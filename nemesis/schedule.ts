// A fault schedule: a pure function from the campaign's fault plan, the node names and a seeded rng to the
// timeline of start/stop events. Same seed, same timeline. Faults of different kinds may overlap (a
// partition during a clock bump); faults that would fight over the same mechanism never do: one partition
// at a time, one packet fault, one clock fault, and kill and pause share one lane (a paused process cannot
// be killed and restarted meaningfully). Everything started is stopped by the end of the window. What each
// kind draws, and its lane, is its package's (nemesis/faults/registry.ts).
import { drawFault, faultPackage, type FaultKind, type FaultPlan, type PlannedFault } from './faults/registry.ts';
import { pick, randomInt, type Rng } from './rng.ts';

export type { FaultKind, FaultPlan, PlannedFault } from './faults/registry.ts';
export type { PlannedTargets } from './faults/faultPackage.ts';

export interface ScheduleSpec {
  faults: readonly FaultPlan[];
  /** Mean quiet time between the stop of one fault and the start of the next in its lane (ms). */
  intervalMs: number;
  /** Mean time a fault stays (ms). Default intervalMs. */
  holdMs?: number;
  /** Length of the fault window (ms): every fault is stopped by then. */
  durationMs: number;
  /** Whether faults of different kinds may overlap. Default true. */
  overlap?: boolean;
  /**
   * The shortest a fault may stay (ms), e.g. longer than the system's failover: a drawn hold shorter than it
   * is lengthened to it, and no fault starts too late in the window to stay that long. Default 0.
   */
  minHoldMs?: number;
  /** Explicit start and stop times instead of drawn ones (`intervalMs`, `holdMs` and `minHoldMs` then unused). */
  fixed?: readonly FixedFault[];
}

/** One fault at fixed times in the fault window. */
export interface FixedFault {
  startMs: number;
  stopMs: number;
  /** Index into `faults`; when absent, drawn from them with the schedule's rng (seeded, as drawn schedules). */
  fault?: number;
}

export interface ScheduledEvent {
  /** ms from the start of the fault window. */
  atMs: number;
  action: 'start' | 'stop';
  /** Pairs a start with its stop. */
  id: number;
  fault: PlannedFault;
}

function laneOf(kind: FaultKind): string {
  return faultPackage(kind).lane;
}

/** The timeline of fault starts and stops, sorted by time (a stop before a start at the same instant). */
export function planSchedule(spec: ScheduleSpec, nodes: readonly string[], rng: Rng): ScheduledEvent[] {
  if (!(spec.intervalMs > 0) || !(spec.durationMs > 0)) {
    throw new RangeError(
      `a schedule needs intervalMs > 0 and durationMs > 0, got ${spec.intervalMs} and ${spec.durationMs}`,
    );
  }
  if (spec.fixed !== undefined) return sortEvents(planFixed(spec, spec.fixed, nodes, rng));
  const hold = spec.holdMs ?? spec.intervalMs;
  const minHold = spec.minHoldMs ?? 0;
  const lanes = new Map<string, FaultPlan[]>();
  for (const plan of spec.faults) {
    const lane = spec.overlap === false ? 'all' : laneOf(plan.kind);
    lanes.set(lane, [...(lanes.get(lane) ?? []), plan]);
  }
  const events: ScheduledEvent[] = [];
  let id = 0;
  for (const plans of lanes.values()) {
    let t = randomInt(rng, 0, Math.round(spec.intervalMs));
    // Too late in the window to stay minHold: no more faults in this lane (with no minHold, never).
    while (t < spec.durationMs && t + minHold <= spec.durationMs) {
      const drawn = randomInt(rng, Math.max(1, Math.round(hold / 2)), Math.max(1, Math.round((hold * 3) / 2)));
      const holdMs = Math.max(minHold, drawn);
      const stop = Math.min(t + holdMs, spec.durationMs);
      const fault = drawFault(pick(rng, plans), nodes, rng, stop - t);
      events.push({ atMs: t, action: 'start', id, fault }, { atMs: stop, action: 'stop', id, fault });
      id++;
      t = stop + randomInt(rng, Math.round(spec.intervalMs / 2), Math.round((spec.intervalMs * 3) / 2));
    }
  }
  return sortEvents(events);
}

function sortEvents(events: ScheduledEvent[]): ScheduledEvent[] {
  return events.sort((a, b) => a.atMs - b.atMs || (a.action === b.action ? a.id - b.id : a.action === 'stop' ? -1 : 1));
}

/** The fixed entries as events, in entry order; times are clamped to the window (scheduleProblems names misfits). */
function planFixed(
  spec: ScheduleSpec,
  fixed: readonly FixedFault[],
  nodes: readonly string[],
  rng: Rng,
): ScheduledEvent[] {
  const events: ScheduledEvent[] = [];
  fixed.forEach((entry, id) => {
    const start = Math.max(0, entry.startMs);
    const stop = Math.min(entry.stopMs, spec.durationMs);
    if (!(stop > start)) return;
    const plan = entry.fault !== undefined ? spec.faults[entry.fault] : pick(rng, spec.faults);
    if (plan === undefined) return;
    const fault = drawFault(plan, nodes, rng, stop - start);
    events.push({ atMs: start, action: 'start', id, fault }, { atMs: stop, action: 'stop', id, fault });
  });
  return events;
}

/**
 * What is wrong with fixed fault times, one message each, naming the entry (`schedule.N`): a stop not after
 * its start, outside the window, an index with no fault, and two entries at once where faults would fight over
 * one mechanism (the same lane, or any two with overlap off; an entry without `fault` may be any of them).
 */
export function fixedScheduleProblems(spec: ScheduleSpec, fixed: readonly FixedFault[]): string[] {
  const problems: string[] = [];
  const lanesOf = (entry: FixedFault): Set<string> => {
    const plans = entry.fault !== undefined ? [spec.faults[entry.fault]] : spec.faults;
    return new Set(plans.flatMap((p) => (p === undefined ? [] : [spec.overlap === false ? 'all' : laneOf(p.kind)])));
  };
  fixed.forEach((entry, i) => {
    const at = `schedule.${i}`;
    if (!(entry.stopMs > entry.startMs))
      problems.push(`${at}: stop (${entry.stopMs} ms) must be after start (${entry.startMs} ms)`);
    if (entry.stopMs > spec.durationMs)
      problems.push(`${at}: stops at ${entry.stopMs} ms, after the fault window ends (${spec.durationMs} ms)`);
    if (entry.fault !== undefined && spec.faults[entry.fault] === undefined)
      problems.push(`${at}: fault ${entry.fault} is not in nemesis.faults (0..${spec.faults.length - 1})`);
    for (let j = 0; j < i; j++) {
      const other = fixed[j]!;
      const overlaps = entry.startMs < other.stopMs && other.startMs < entry.stopMs;
      const mine = lanesOf(entry);
      const shared = [...lanesOf(other)].filter((l) => mine.has(l));
      if (overlaps && shared.length > 0)
        problems.push(
          `${at} overlaps schedule.${j}, and both may be ${shared[0] === 'all' ? 'faults (overlap is off)' : `${shared[0]} faults`}, which cannot run at once`,
        );
    }
  });
  return problems;
}

/**
 * Everything wrong with a schedule for these nodes, one message each (campaign validation collects them all
 * rather than stopping at the first). Availability on the nodes' kernel is faultAvailability's job.
 */
export function scheduleProblems(spec: ScheduleSpec, nodes: readonly string[]): string[] {
  const problems: string[] = [];
  if (!(spec.intervalMs > 0)) problems.push(`nemesis interval must be > 0 ms, got ${spec.intervalMs}`);
  if (!(spec.durationMs > 0)) problems.push(`the fault window must be > 0 ms, got ${spec.durationMs}`);
  if (spec.holdMs !== undefined && !(spec.holdMs > 0)) problems.push(`nemesis hold must be > 0 ms, got ${spec.holdMs}`);
  if (spec.minHoldMs !== undefined && !(spec.minHoldMs > 0 && spec.minHoldMs <= spec.durationMs))
    problems.push(
      `nemesis minHold must be > 0 ms and at most the fault window (${spec.durationMs} ms), got ${spec.minHoldMs}`,
    );
  if (spec.fixed !== undefined) problems.push(...fixedScheduleProblems(spec, spec.fixed));
  if (spec.faults.length === 0) problems.push('the nemesis lists no faults');
  for (const plan of spec.faults) problems.push(...faultPackage(plan.kind).problems(plan, nodes));
  return problems;
}
