// Runs a planned fault timeline against the nodes: waits for each event's time, starts or stops the fault,
// and records every start and stop in the history as a nemesis info op saying what was done to which node
// (a failed step is recorded too, with its error, and the run goes on). Aborting (Ctrl-C, an error
// elsewhere) stops at once; either way every fault still active is stopped and healAll runs at the end.
import type { Value } from '../checkers/history.ts';
import type { RecordInput } from '../harness/history/recorder.ts';
import type { Remote } from '../harness/nodes/remote.ts';
import type { KernelFeatures } from './faultAvailability.ts';
import { applyClockFault, bumpSystemClock, resetClock, restoreSystemClock } from './faults/clock.ts';
import { applyPacketFault, healPacketFault } from './faults/packet.ts';
import { applyGrudge, healPartition } from './faults/partition.ts';
import { killNodes, pauseNodes, restartNodes, resumeNodes, type ProcessHooks } from './faults/process.ts';
import { healAll, type NodeHealReport } from './healAll.ts';
import { isolatePrimaries } from './topologies.ts';
import type { PlannedFault, PlannedTargets, ScheduledEvent } from './schedule.ts';

export interface NemesisRecorder {
  record(input: RecordInput): unknown;
}

export interface NemesisRunOptions {
  schedule: readonly ScheduledEvent[];
  remotes: readonly Remote[];
  recorder: NemesisRecorder;
  features: KernelFeatures;
  /** The system's hooks; needed for kill, pause and anything targeting the primary. */
  processes?: ProcessHooks;
  /** 'system-clock' moves the real clock (ssh hosts only). Default 'faketime'. */
  clock?: { mode: 'faketime' | 'system-clock'; file?: string };
  signal?: AbortSignal;
  /** How long a restarted node may take to be ready. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface NemesisRunSummary {
  started: number;
  stopped: number;
  /** Each failed start or stop, as recorded in the history. */
  errors: { id: number; action: 'start' | 'stop'; kind: string; message: string }[];
  aborted: boolean;
  heal: NodeHealReport[];
}

/** A JSON copy, so interface-typed values fit the history's Value. */
function toValue(x: unknown): Value {
  return JSON.parse(JSON.stringify(x)) as Value;
}

function sleepUntil(deadline: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What one active fault was applied to, so its stop undoes exactly that. */
interface Active {
  fault: PlannedFault;
  nodes: string[];
}

export async function runNemesisSchedule(options: NemesisRunOptions): Promise<NemesisRunSummary> {
  const { remotes, recorder, signal } = options;
  const names = remotes.map((r) => r.name);
  const byName = (nodes: readonly string[]) => remotes.filter((r) => nodes.includes(r.name));
  const active = new Map<number, Active>();
  const summary: NemesisRunSummary = { started: 0, stopped: 0, errors: [], aborted: false, heal: [] };
  const clockMode = options.clock?.mode ?? 'faketime';
  const clockFile = options.clock?.file === undefined ? {} : { file: options.clock.file };

  const hooks = (): ProcessHooks => {
    if (options.processes === undefined)
      throw new Error('kill, pause and primary faults need the system hooks (processes)');
    return options.processes;
  };
  const resolve = async (targets: PlannedTargets): Promise<string[]> => {
    if ('nodes' in targets) return targets.nodes;
    const primary = await hooks().primary?.();
    if (primary === undefined) throw new Error('the fault targets the primary, but the system named none');
    return [primary];
  };

  const start = async (fault: PlannedFault): Promise<{ nodes: string[]; value: Record<string, Value> }> => {
    switch (fault.kind) {
      case 'partition': {
        const grudge = fault.grudge ?? isolatePrimaries(names, await resolve({ primary: true }));
        await applyGrudge(remotes, grudge);
        const nodes = Object.keys(grudge).filter((n) => (grudge[n] ?? []).length > 0);
        return { nodes, value: { topology: toValue(fault.topology), grudge: toValue(grudge) } };
      }
      case 'packet': {
        const nodes = await resolve(fault.targets);
        const plan = await applyPacketFault(remotes, nodes, fault.behaviors, options.features);
        return {
          nodes,
          value: {
            nodes,
            behaviors: toValue(fault.behaviors),
            applied: plan.applied,
            unavailable: toValue(plan.unavailable),
          },
        };
      }
      case 'clock': {
        const nodes = await resolve(fault.targets);
        if (clockMode === 'system-clock') {
          if (fault.clock.kind !== 'bump')
            throw new Error(`clock ${fault.clock.kind} needs faketime; the real clock only supports bump`);
          const offsetMs = fault.clock.offsetMs;
          await Promise.all(byName(nodes).map((r) => bumpSystemClock(r, offsetMs)));
        } else {
          await Promise.all(byName(nodes).map((r) => applyClockFault(r, fault.clock, clockFile)));
        }
        return { nodes, value: { nodes, clock: toValue(fault.clock), via: clockMode } };
      }
      case 'kill': {
        const nodes = await resolve(fault.targets);
        await killNodes(hooks(), nodes);
        return { nodes, value: { nodes } };
      }
      case 'pause': {
        const nodes = await resolve(fault.targets);
        await pauseNodes(hooks(), remotes, nodes);
        return { nodes, value: { nodes } };
      }
    }
  };

  const stop = async (a: Active): Promise<Record<string, Value>> => {
    switch (a.fault.kind) {
      case 'partition':
        await healPartition(remotes);
        return { healed: a.nodes };
      case 'packet':
        await healPacketFault(remotes);
        return { nodes: a.nodes };
      case 'clock':
        await Promise.all(
          byName(a.nodes).map((r) => (clockMode === 'system-clock' ? restoreSystemClock(r) : resetClock(r, clockFile))),
        );
        return { nodes: a.nodes };
      case 'kill': {
        await restartNodes(hooks(), a.nodes, {
          ...(options.readyTimeoutMs !== undefined && { readyTimeoutMs: options.readyTimeoutMs }),
        });
        return { nodes: a.nodes, restarted: true };
      }
      case 'pause':
        await resumeNodes(hooks(), remotes, a.nodes);
        return { nodes: a.nodes };
    }
  };

  const record = (action: 'start' | 'stop', kind: string, value: Record<string, Value>, error?: string) => {
    recorder.record({
      type: 'info',
      process: 'nemesis',
      f: `${action}-${kind}`,
      value,
      ...(error !== undefined && { error }),
    });
  };

  const doStop = async (id: number, a: Active, reason?: string) => {
    try {
      const value = await stop(a);
      record('stop', a.fault.kind, reason === undefined ? value : { ...value, reason });
    } catch (error) {
      const message = (error as Error).message;
      summary.errors.push({ id, action: 'stop', kind: a.fault.kind, message });
      record('stop', a.fault.kind, { nodes: a.nodes }, message);
    }
    summary.stopped++;
    active.delete(id);
  };

  const origin = Date.now();
  try {
    for (const event of options.schedule) {
      await sleepUntil(origin + event.atMs, signal);
      if (signal?.aborted) break;
      if (event.action === 'start') {
        try {
          const { nodes, value } = await start(event.fault);
          active.set(event.id, { fault: event.fault, nodes });
          record('start', event.fault.kind, value);
        } catch (error) {
          const message = (error as Error).message;
          summary.errors.push({ id: event.id, action: 'start', kind: event.fault.kind, message });
          // Recorded as a start and (below) a stop, so the history shows the attempt and its window is closed.
          record('start', event.fault.kind, { attempted: toValue(event.fault) }, message);
          active.set(event.id, { fault: event.fault, nodes: [] });
        }
        summary.started++;
      } else {
        const a = active.get(event.id);
        if (a !== undefined) await doStop(event.id, a);
      }
    }
  } finally {
    summary.aborted = signal?.aborted ?? false;
    // Newest first, as a teardown stack: a restart after a kill should not wait behind a partition heal.
    for (const [id, a] of [...active].reverse()) await doStop(id, a, summary.aborted ? 'aborted' : 'end of window');
    summary.heal = await healAll(remotes, {
      backend: clockMode === 'system-clock' ? 'ssh' : 'docker',
      ...(options.clock?.file !== undefined && { clockFile: options.clock.file }),
    });
  }
  return summary;
}
