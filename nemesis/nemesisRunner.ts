// Runs a planned fault timeline against the nodes: waits for each event's time, starts or stops the fault,
// and records every start and stop in the history as a nemesis event (checkers/nemesisEvents.ts) saying what
// was done to which node, in words and data. A start is recorded before the fault is applied, so a harness
// killed in between leaves the fault in the history; a failed step is recorded too, with its error, and the
// run goes on. What each kind does is its package's (nemesis/faults/registry.ts). Aborting (Ctrl-C, an error
// elsewhere) stops at once; either way every fault still active is stopped and healAll runs at the end.
import { nemesisEventOp, type NemesisAction } from '../checkers/nemesisEvents.ts';
import type { Value } from '../checkers/history.ts';
import type { RecordInput } from '../harness/history/recorder.ts';
import type { Remote } from '../harness/nodes/remote.ts';
import type { FaultContext, KernelFeatures, PlannedTargets, SystemNetworkFaults } from './faults/faultPackage.ts';
import type { ProcessHooks } from './faults/process.ts';
import { faultPackage, prepareFault, stopFault, type PlannedFault } from './faults/registry.ts';
import { healAll, type NodeHealReport } from './healAll.ts';
import { toValue } from './_internals/toValue.ts';
import type { ScheduledEvent } from './schedule.ts';

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
  /** The address the nodes see the controller's packets come from (client partitions need it). */
  controllerAddress?: string;
  /** The system's own network, when it is one: partitions and packet faults act on it. */
  network?: SystemNetworkFaults;
  /**
   * The shortest a fault may hold, and when the fault window ends (Date.now() ms): a start that comes too late
   * to hold that long before the end (earlier faults took long) is skipped, not started to be cut short.
   */
  minHold?: { ms: number; windowEndsAt: number };
}

export interface NemesisRunSummary {
  started: number;
  stopped: number;
  /** Each failed start or stop, as recorded in the history. */
  errors: { id: number; action: 'start' | 'stop'; kind: string; message: string }[];
  /** Starts skipped because they came too late to hold minHold before the window's end. */
  skipped: { id: number; kind: string }[];
  aborted: boolean;
  heal: NodeHealReport[];
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
  /** When the fault was in force (applied): its stop waits until it has held its planned time from then. */
  inForceAt?: number;
}

export async function runNemesisSchedule(options: NemesisRunOptions): Promise<NemesisRunSummary> {
  const { remotes, recorder, signal } = options;
  const names = remotes.map((r) => r.name);
  const active = new Map<number, Active>();
  const summary: NemesisRunSummary = { started: 0, stopped: 0, errors: [], skipped: [], aborted: false, heal: [] };
  const clockMode = options.clock?.mode ?? 'faketime';
  const clockFile = options.clock?.file === undefined ? {} : { file: options.clock.file };

  const hooks = (): ProcessHooks => {
    if (options.processes === undefined)
      throw new Error('kill, pause and primary faults need the system hooks (processes)');
    return options.processes;
  };
  const ctx: FaultContext = {
    remotes,
    names,
    features: options.features,
    hooks,
    async resolve(targets: PlannedTargets): Promise<string[]> {
      if ('nodes' in targets) return targets.nodes;
      const primary = await hooks().primary?.();
      if (primary === undefined) throw new Error('the fault targets the primary, but the system named none');
      return [primary];
    },
    clock: { mode: clockMode, ...clockFile },
    ...(options.readyTimeoutMs !== undefined && { readyTimeoutMs: options.readyTimeoutMs }),
    ...(options.controllerAddress !== undefined && { controllerAddress: options.controllerAddress }),
    ...(options.network !== undefined && { network: options.network }),
  };

  const record = (
    action: NemesisAction,
    fault: PlannedFault,
    detail: Record<string, Value>,
    extra: { label?: string; error?: string } = {},
  ) => {
    recorder.record(
      nemesisEventOp({
        action,
        fault: fault.kind,
        detail,
        color: faultPackage(fault.kind).color,
        ...(extra.label !== undefined && { label: extra.label }),
        ...(extra.error !== undefined && { error: extra.error }),
      }),
    );
  };

  const doStop = async (id: number, a: Active, reason?: string) => {
    try {
      const value = await stopFault(ctx, a.fault, a.nodes);
      record('stop', a.fault, reason === undefined ? value : { ...value, reason });
    } catch (error) {
      const message = (error as Error).message;
      summary.errors.push({ id, action: 'stop', kind: a.fault.kind, message });
      record('stop', a.fault, { nodes: a.nodes }, { error: message });
    }
    summary.stopped++;
    active.delete(id);
  };

  const doStart = async (id: number, fault: PlannedFault) => {
    let prepared;
    try {
      prepared = await prepareFault(ctx, fault);
    } catch (error) {
      const message = (error as Error).message;
      summary.errors.push({ id, action: 'start', kind: fault.kind, message });
      // Recorded as a start and (later) a stop, so the history shows the attempt and its window is closed.
      record('start', fault, { attempted: toValue(fault) }, { error: message });
      active.set(id, { fault, nodes: [] });
      return;
    }
    const { nodes, detail, label } = prepared;
    if (prepared.nothingToApply !== undefined) {
      summary.errors.push({ id, action: 'start', kind: fault.kind, message: prepared.nothingToApply });
      record('start', fault, detail, { label, error: prepared.nothingToApply });
      active.set(id, { fault, nodes });
      return;
    }
    // The intent goes into the history before the nodes change.
    record('start', fault, detail, { label });
    const started: Active = { fault, nodes };
    active.set(id, started);
    try {
      await prepared.apply();
      started.inForceAt = Date.now();
    } catch (error) {
      const message = (error as Error).message;
      summary.errors.push({ id, action: 'start', kind: fault.kind, message });
      // Whatever part was applied is undone now, and the window closed with the reason.
      await stopFault(ctx, fault, nodes).catch(() => undefined);
      record('stop', fault, { nodes, startFailed: true }, { error: `could not start: ${message}` });
      summary.stopped++;
      active.delete(id);
    }
  };

  // Each fault's planned hold: a start that came late (resolving the primary, a slow node) still holds that
  // long once in force, so a minHold chosen to outlast a failover is not eaten by the time it took to start.
  const plannedStart = new Map<number, number>();
  const plannedHold = new Map<number, number>();
  for (const e of options.schedule) {
    if (e.action === 'start') plannedStart.set(e.id, e.atMs);
    else plannedHold.set(e.id, e.atMs - (plannedStart.get(e.id) ?? e.atMs));
  }
  const origin = Date.now();
  try {
    for (const event of options.schedule) {
      await sleepUntil(origin + event.atMs, signal);
      if (signal?.aborted) break;
      if (event.action === 'start') {
        const { minHold } = options;
        if (minHold !== undefined && Date.now() + minHold.ms > minHold.windowEndsAt) {
          summary.skipped.push({ id: event.id, kind: event.fault.kind });
          continue;
        }
        await doStart(event.id, event.fault);
        summary.started++;
      } else {
        const a = active.get(event.id);
        if (a?.inForceAt !== undefined) {
          await sleepUntil(a.inForceAt + (plannedHold.get(event.id) ?? 0), signal);
          if (signal?.aborted) break;
        }
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
