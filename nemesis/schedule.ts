// A fault schedule: a pure function from the campaign's fault plan, the node names and a seeded rng to the
// timeline of start/stop events. Same seed, same timeline. Faults of different kinds may overlap (a
// partition during a clock bump); faults that would fight over the same mechanism never do: one partition
// at a time, one packet fault, one clock fault, and kill and pause share one lane (a paused process cannot
// be killed and restarted meaningfully). Everything started is stopped by the end of the window.
import type { ClockFault } from './faults/clock.ts';
import { defaultPacketBehaviors, type PacketBehaviors } from './faults/packet.ts';
import { grudgeFor, topologyProblems, type TopologySpec } from './topologies.ts';
import type { Grudge } from './grudge.ts';
import { nodeSelectorProblems, selectNodes, type NodeSelector } from './nodeSelection.ts';
import { pick, randomInt, type Rng } from './rng.ts';

export type FaultKind = 'partition' | 'packet' | 'clock' | 'kill' | 'pause';

/** One kind of fault as the campaign asks for it. Omitted choices take Jepsen-like defaults. */
export type FaultPlan =
  | { kind: 'partition'; topologies?: readonly TopologySpec[] }
  | { kind: 'packet'; targets?: readonly NodeSelector[]; behaviors?: readonly PacketBehaviors[] }
  | {
      kind: 'clock';
      targets?: readonly NodeSelector[];
      modes?: readonly ('bump' | 'strobe' | 'drift')[];
      maxOffsetMs?: number;
    }
  | { kind: 'kill'; targets?: readonly NodeSelector[] }
  | { kind: 'pause'; targets?: readonly NodeSelector[] };

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

/** Nodes resolved at plan time, or the primary, resolved when the fault starts. */
export type PlannedTargets = { nodes: string[] } | { primary: true };

export type PlannedFault =
  | { kind: 'partition'; topology: TopologySpec; grudge?: Grudge }
  | { kind: 'packet'; targets: PlannedTargets; behaviors: PacketBehaviors }
  | { kind: 'clock'; targets: PlannedTargets; clock: ClockFault }
  | { kind: 'kill'; targets: PlannedTargets }
  | { kind: 'pause'; targets: PlannedTargets };

export interface ScheduledEvent {
  /** ms from the start of the fault window. */
  atMs: number;
  action: 'start' | 'stop';
  /** Pairs a start with its stop. */
  id: number;
  fault: PlannedFault;
}

const defaultTopologies: TopologySpec[] = ['one', 'halves', 'majorities-ring'];
const defaultTargets: NodeSelector[] = ['one', 'minority', 'majority', 'all'];
const defaultBehaviors: PacketBehaviors[] = [
  { delay: defaultPacketBehaviors.delay },
  { loss: defaultPacketBehaviors.loss },
  { rate: defaultPacketBehaviors.rate },
];

function planTargets(selector: NodeSelector, nodes: readonly string[], rng: Rng): PlannedTargets {
  return selector === 'primary' ? { primary: true } : { nodes: selectNodes(selector, nodes, { rng }) };
}

/** A duration spread exponentially between lo and hi ms, like Jepsen's clock generators. */
function exponential(rng: Rng, loMs: number, hiMs: number): number {
  const lo = Math.log2(Math.max(1, loMs));
  const hi = Math.log2(Math.max(loMs + 1, hiMs));
  const steps = 1000;
  return Math.round(2 ** (lo + ((hi - lo) * randomInt(rng, 0, steps)) / steps));
}

function planClock(plan: Extract<FaultPlan, { kind: 'clock' }>, rng: Rng, holdMs: number): ClockFault {
  const max = plan.maxOffsetMs ?? 60_000;
  const mode = pick(rng, plan.modes ?? ['bump', 'strobe', 'drift']);
  if (mode === 'bump')
    return { kind: 'bump', offsetMs: (randomInt(rng, 0, 1) === 0 ? -1 : 1) * exponential(rng, 10, max) };
  if (mode === 'strobe') {
    return {
      kind: 'strobe',
      deltaMs: exponential(rng, 4, max),
      periodMs: exponential(rng, 10, 1000),
      durationMs: holdMs,
    };
  }
  return { kind: 'drift', rate: pick(rng, [0.5, 0.9, 1.1, 1.5, 2]) };
}

function planFault(plan: FaultPlan, nodes: readonly string[], rng: Rng, holdMs: number): PlannedFault {
  switch (plan.kind) {
    case 'partition': {
      const topology = pick(rng, plan.topologies ?? defaultTopologies);
      // The primary is only known when the fault starts; every other grudge is fixed now, from the seed.
      return topology === 'primary'
        ? { kind: 'partition', topology }
        : { kind: 'partition', topology, grudge: grudgeFor(topology, nodes, { rng }) };
    }
    case 'packet':
      return {
        kind: 'packet',
        targets: planTargets(pick(rng, plan.targets ?? defaultTargets), nodes, rng),
        behaviors: pick(rng, plan.behaviors ?? defaultBehaviors),
      };
    case 'clock':
      return {
        kind: 'clock',
        targets: planTargets(pick(rng, plan.targets ?? defaultTargets), nodes, rng),
        clock: planClock(plan, rng, holdMs),
      };
    case 'kill':
    case 'pause':
      return { kind: plan.kind, targets: planTargets(pick(rng, plan.targets ?? ['one']), nodes, rng) };
  }
}

function laneOf(kind: FaultKind): string {
  return kind === 'kill' || kind === 'pause' ? 'process' : kind;
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
      const fault = planFault(pick(rng, plans), nodes, rng, stop - t);
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
  for (const plan of spec.faults) {
    if (plan.kind === 'partition') {
      for (const t of plan.topologies ?? defaultTopologies) {
        problems.push(...topologyProblems(t, nodes).map((p) => `partition: ${p}`));
      }
    } else {
      for (const s of plan.targets ?? (plan.kind === 'kill' || plan.kind === 'pause' ? ['one'] : defaultTargets)) {
        problems.push(...nodeSelectorProblems(s, nodes).map((p) => `${plan.kind}: ${p}`));
      }
    }
    if (plan.kind === 'clock' && plan.maxOffsetMs !== undefined && !(plan.maxOffsetMs >= 10)) {
      problems.push(`clock: maxOffsetMs must be at least 10 ms, got ${plan.maxOffsetMs}`);
    }
  }
  return problems;
}
