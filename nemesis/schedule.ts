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
  const hold = spec.holdMs ?? spec.intervalMs;
  const lanes = new Map<string, FaultPlan[]>();
  for (const plan of spec.faults) {
    const lane = spec.overlap === false ? 'all' : laneOf(plan.kind);
    lanes.set(lane, [...(lanes.get(lane) ?? []), plan]);
  }
  const events: ScheduledEvent[] = [];
  let id = 0;
  for (const plans of lanes.values()) {
    let t = randomInt(rng, 0, Math.round(spec.intervalMs));
    while (t < spec.durationMs) {
      const holdMs = randomInt(rng, Math.max(1, Math.round(hold / 2)), Math.max(1, Math.round((hold * 3) / 2)));
      const stop = Math.min(t + holdMs, spec.durationMs);
      const fault = drawFault(pick(rng, plans), nodes, rng, stop - t);
      events.push({ atMs: t, action: 'start', id, fault }, { atMs: stop, action: 'stop', id, fault });
      id++;
      t = stop + randomInt(rng, Math.round(spec.intervalMs / 2), Math.round((spec.intervalMs * 3) / 2));
    }
  }
  return events.sort((a, b) => a.atMs - b.atMs || (a.action === b.action ? a.id - b.id : a.action === 'stop' ? -1 : 1));
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
  if (spec.faults.length === 0) problems.push('the nemesis lists no faults');
  for (const plan of spec.faults) problems.push(...faultPackage(plan.kind).problems(plan, nodes));
  return problems;
}
