// The linearizability checker: partitions the history (P-compositionality), decides each partition with the
// unique-value zones or the WGL search, in worker threads when that pays, and reports in the shared shape.
import type { Operation, Value } from '../history.ts';
import { describeModelOp, modelOpOf } from '../models/model.ts';
import type { Model, ModelSpec } from '../models/model.ts';
import { createModel } from '../models/registry.ts';
import type { Anomaly, CheckOptions, CheckResult, ViolationDetail } from '../result.ts';
import { historyIndices } from '../result.ts';
import { clockFor } from './clock.ts';
import type { Clock } from './clock.ts';
import { decideByZones, partitionHistory, startDecision } from './partition.ts';
import type { Partition, PartitionReport } from './partition.ts';
import { createProgressTally } from './progress.ts';
import type { ProgressTally, SearchProgress } from './progress.ts';

export interface LinearizableOptions extends CheckOptions {
  /** The model, or a registered model's name and options. Default: inferred from the ops (inferModelSpec). */
  model?: Model | ModelSpec;
  /** Check partitions on worker threads when there are several and the history is big. Default true. */
  parallel?: boolean;
  /** Ops needing the search from which worker threads are used. Default defaultWorkerMinOps. */
  workerMinOps?: number;
  /** What is decided so far, sent at least every `progressEveryMs` while the check runs (async check only). */
  onProgress?: (progress: SearchProgress) => void;
  /**
   * How often a search on the calling thread pauses to let the event loop run (the progress line's repaint,
   * a Ctrl-C) and reports progress. Default defaultProgressEveryMs; async check only.
   */
  progressEveryMs?: number;
  /** Stops a search on the calling thread at its next pause (the analysis has already answered unknown). */
  signal?: AbortSignal;
}

/**
 * A search on the main thread pauses this often: the live line repaints 4x/s, and a setImmediate every
 * 100 ms costs nothing measurable (bench/linearizable.bench.ts prints the overhead).
 */
export const defaultProgressEveryMs = 100;

/** Default memory budget for the search state of one check. */
export const defaultMemoryBudgetBytes = 1024 * 1024 * 1024;

/**
 * The first time slice each partition gets before the others have had theirs. Small, so a partition that
 * fails fast is found before the hard ones have used much time; paused searches resume, so slicing repeats no work.
 */
const firstSliceMs = 4;

/**
 * Below this many ops needing the search, workers cost more than they save: on the 2-core test machine a
 * 100k-op general-search kv history took 0.64 s of CPU on one thread and 1.67 s with the pool's first start
 * (each worker loads tsx and starts cold); at 1M ops the pool gained (bench/linearizable.bench.ts).
 */
export const defaultWorkerMinOps = 250_000;

/**
 * On worker threads, once a partition is found violated, the others get as long again as the check has taken,
 * at most this much: enough for the cheap ones to be reported too, without waiting on one that explodes
 * (Porcupine cancels them outright). The verdict is already decided. (On this thread the round under way ends.)
 */
const graceAfterViolationMs = 1000;

/** The deadline for the other partitions once a violation is found at `now`. */
function graceDeadline(started: number, now: number, deadline: number): number {
  return Math.min(deadline, now + Math.min(graceAfterViolationMs, now - started));
}

/** Picks a model from the ops: txn -> multi-register, acquire/release -> mutex, cas -> CAS register, keys -> kv. */
export function inferModelSpec(operations: readonly Operation[]): ModelSpec {
  const fs = new Set(operations.map((o) => o.f));
  if (fs.has('txn')) return { name: 'multi-register' };
  if (fs.has('acquire') || fs.has('release')) return { name: 'mutex' };
  if (fs.has('enqueue') || fs.has('dequeue')) return { name: 'queue' };
  if (fs.has('add') && !fs.has('write')) return { name: 'set' };
  if (operations.some((o) => o.key !== undefined) || fs.has('get') || fs.has('put') || fs.has('append')) {
    return { name: 'kv' };
  }
  return { name: fs.has('cas') ? 'cas-register' : 'register' };
}

export function resolveModel(model: Model | ModelSpec | undefined, operations: readonly Operation[]): Model {
  if (model === undefined) return createModel(inferModelSpec(operations));
  return 'step' in model ? model : createModel(model);
}

/** Deadline and memory per partition, from the options and the time already spent. */
function budgetFor(options: LinearizableOptions, started: number): { deadline: number; memoryBytes: number } {
  return {
    deadline: options.timeBudgetMs === undefined ? Infinity : started + options.timeBudgetMs,
    memoryBytes: options.memoryBudgetBytes ?? defaultMemoryBudgetBytes,
  };
}

/** Checks every partition on this thread. Usable in the browser and inside a worker. */
export function checkLinearizableSync(
  operations: readonly Operation[],
  options: LinearizableOptions = {},
): CheckResult {
  const started = performance.now();
  const model = resolveModel(options.model, operations);
  const partitions = partitionHistory(model, operations);
  const rounds = decideRounds(model, operations, partitions, new Map(), budgetFor(options, started), started, {
    yieldEveryMs: Infinity,
    detail: options.detail ?? 'report',
  });
  for (;;) {
    const step = rounds.next();
    if (step.done === true) return step.value;
  }
}

/** Reports progress to `onProgress` (when given) for the partitions of one check. */
function progressReporter(
  partitions: readonly Partition[],
  budget: { deadline: number },
  started: number,
  onProgress: ((progress: SearchProgress) => void) | undefined,
): { report: ProgressTally['report']; send: () => void } {
  if (onProgress === undefined) return { report: () => undefined, send: () => undefined };
  const keyed = partitions.length > 1 || (partitions[0] !== undefined && partitions[0].key !== '');
  const tally = createProgressTally(
    partitions.map((p) => p.ops.length),
    keyed ? 'keys' : 'partitions',
  );
  return {
    report: (i, r, final) => {
      tally.report(i, r, final);
    },
    send: () => {
      const now = performance.now();
      onProgress(tally.snapshot(now - started, budget.deadline === Infinity ? null : budget.deadline - now));
    },
  };
}

/**
 * Decides the partitions not in `decided` (index -> report) on this thread. Yields (to be resumed at once)
 * at least every `yieldEveryMs` of searching, so an async caller can let the event loop run (a live progress
 * line, a Ctrl-C); a sync caller just resumes it. Each search slice then ends by that time too: paused
 * searches resume where they stopped, so the slicing repeats no work and changes no verdict.
 */
function* decideRounds(
  model: Model,
  operations: readonly Operation[],
  partitions: readonly Partition[],
  decided: ReadonlyMap<number, PartitionReport>,
  budget: { deadline: number; memoryBytes: number },
  started: number,
  pacing: { yieldEveryMs: number; detail: ViolationDetail; onProgress?: (progress: SearchProgress) => void },
): Generator<void, CheckResult, undefined> {
  const reports = partitions.map((_, i) => decided.get(i));
  const progress = progressReporter(partitions, budget, started, pacing.onProgress);
  for (const [i, r] of decided) progress.report(i, r, true);
  let lastYield = performance.now();
  // Round-robin with doubling time slices, so one partition whose search explodes cannot hide a violation
  // in another (Porcupine gets this from running them all at once). A paused search resumes where it
  // stopped; the paused ones' memory counts against the budget of the one running.
  const decisions = partitions.map((p) => startDecision(model, p, pacing.detail));
  let pending = partitions.map((_, i) => i).filter((i) => !decided.has(i));
  // Once a partition is found violated the verdict is decided: the round under way ends (each other partition
  // gets the slice it was due, so the cheap violations are reported too) and the check stops, as Porcupine
  // cancels the rest outright. Running the others on for as long again made a failing check take twice its time.
  let violated = [...decided.values()].some((r) => r.valid === false);
  let slice = firstSliceMs;
  progress.send();
  while (pending.length > 0) {
    const undecided: number[] = [];
    for (const i of pending) {
      const now = performance.now();
      // A partition left on its own needs no slicing, but for the yields.
      const alone = pending.length === 1 && !violated;
      const sliceEnd = Math.min(alone ? budget.deadline : now + slice, lastYield + pacing.yieldEveryMs);
      const deadline = Math.min(budget.deadline, sliceEnd);
      let held = 0;
      for (const j of pending) if (j !== i) held += decisions[j]!.bytes;
      const r = decisions[i]!.run({ deadline, memoryBytes: budget.memoryBytes - held });
      reports[i] = r;
      if (r.valid === false) violated = true;
      const again = r.valid === 'unknown' && r.reason === 'time' && deadline < budget.deadline;
      if (again) undecided.push(i);
      progress.report(i, r, !again);
      if (performance.now() - lastYield >= pacing.yieldEveryMs) {
        progress.send();
        yield;
        lastYield = performance.now();
      }
    }
    if (violated || performance.now() >= budget.deadline) break;
    pending = undecided;
    slice *= 2;
  }
  progress.send();
  return assemble(
    model,
    operations,
    partitions,
    reports.filter((r) => r !== undefined),
    performance.now() - started,
    0,
  );
}

/**
 * Checks a history for linearizability against a model. Verdict `unknown` (never a crash, never a pass)
 * when the time or memory budget runs out, naming the undecided partitions.
 */
export async function checkLinearizable(
  operations: readonly Operation[],
  model?: Model | ModelSpec,
  options: Omit<LinearizableOptions, 'model'> = {},
): Promise<CheckResult> {
  const started = performance.now();
  const resolved = resolveModel(model, operations);
  const partitions = partitionHistory(resolved, operations);
  const budget = budgetFor(options, started);
  const detail = options.detail ?? 'report';
  const decided = new Map<number, PartitionReport>();
  const progress = progressReporter(partitions, budget, started, options.onProgress);
  const total = partitions.reduce((n, p) => n + p.ops.length, 0);
  const minOps = options.workerMinOps ?? defaultWorkerMinOps;
  if ((options.parallel ?? true) && resolved.spec !== undefined && partitions.length > 1 && total >= minOps) {
    // The zones decide a partition faster than sending it to a worker would: they run here, and the
    // workers get only the partitions that need the search, when those are big enough to pay.
    partitions.forEach((p, i) => {
      const r = decideByZones(resolved, p, budget, detail);
      if (r !== null) {
        decided.set(i, r);
        progress.report(i, r, true);
      }
    });
    progress.send();
    const searched = partitions.map((_, i) => i).filter((i) => !decided.has(i));
    const searchOps = searched.reduce((n, i) => n + partitions[i]!.ops.length, 0);
    if (searched.length > 1 && searchOps >= minOps) {
      const { decideInWorkers } = await import('./parallel.ts');
      const violated = [...decided.values()].some((r) => r.valid === false);
      if (violated) budget.deadline = graceDeadline(started, performance.now(), budget.deadline);
      const pooled = await decideInWorkers(
        resolved.spec,
        searched.map((i) => partitions[i]!),
        {
          ...budget,
          detail,
          ...(options.progressEveryMs !== undefined && { progressEveryMs: options.progressEveryMs }),
        },
        (now, deadline) => graceDeadline(started, now, deadline),
        (j, report, final) => {
          progress.report(searched[j]!, report, final);
          progress.send();
        },
      );
      if (pooled !== null) {
        searched.forEach((i, j) => decided.set(i, pooled.reports[j]!));
        const reports = partitions.map((_, i) => decided.get(i)!);
        return assemble(resolved, operations, partitions, reports, performance.now() - started, pooled.workers);
      }
    }
  }
  const rounds = decideRounds(resolved, operations, partitions, decided, budget, started, {
    yieldEveryMs: options.progressEveryMs ?? defaultProgressEveryMs,
    detail,
    ...(options.onProgress !== undefined && { onProgress: options.onProgress }),
  });
  for (;;) {
    const step = rounds.next();
    if (step.done === true) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
    if (options.signal?.aborted === true) throw new Error('interrupted: the search was stopped');
  }
}

function describeOp(model: Model, op: Operation | undefined, clock: Clock): string {
  if (op === undefined) return 'an op';
  return `op ${op.id} (process ${op.process}, ${describeModelOp(model, modelOpOf(op))}, ${clock.span(op)})`;
}

function assemble(
  model: Model,
  operations: readonly Operation[],
  partitions: readonly Partition[],
  reports: readonly PartitionReport[],
  timeMs: number,
  /** Worker threads used; 0 when checked on the calling thread. */
  workers: number,
): CheckResult {
  // Only violations look ops up, and ids are usually positions (pairOperations): no index for a million ops.
  let index: Map<number, Operation> | undefined;
  const byId = {
    get(id: number): Operation | undefined {
      const direct = operations[id];
      if (direct?.id === id) return direct;
      if (index === undefined) {
        index = new Map();
        for (const op of operations) index.set(op.id, op);
      }
      return index.get(id);
    },
  };
  const multi = partitions.length > 1 || (partitions[0] !== undefined && partitions[0].key !== '');
  // Explanations count seconds from the first invoke; only a violation needs the clock's scan of the ops.
  let clock: Clock | undefined;
  const clockNow = (): Clock => (clock ??= clockFor(operations, partitions[0]?.origin ?? 0));
  const anomalies: Anomaly[] = [];
  const undecided: string[] = [];
  const stopped = reports.some((r) => r.valid === false);
  let zonePartitions = 0;
  let cached = 0;
  for (const r of reports) {
    if (r.algorithm === 'zones') zonePartitions++;
    cached += r.cached;
    if (r.valid === 'unknown')
      undecided.push(
        `${multi ? `key ${JSON.stringify(r.key)}` : 'the history'} (${r.ops} ops${stopped && r.reason === 'time' ? '' : `, ${r.reason === 'time' ? 'time' : 'memory'} budget ran out`})`,
      );
    if (r.valid !== false) continue;
    const failed = byId.get(r.failedOp);
    const onKey = multi ? ` on key ${JSON.stringify(r.key)}` : '';
    const explanation =
      r.algorithm === 'zones'
        ? `${describeOp(model, failed, clockNow())} cannot be linearized${onKey}: ${r.why}.`
        : `${describeOp(model, failed, clockNow())} could not be linearized${onKey}: ${r.why}` +
          (r.longest[0] !== undefined ? ` (after the longest valid prefix of ${r.longest[0].length} ops).` : '.');
    const ids = [...new Set([r.failedOp, ...r.involved])];
    const opsInvolved = ids.map((id) => byId.get(id)).filter((o) => o !== undefined);
    const detail: Value = {
      key: r.key,
      failedOp: r.failedOp,
      longest: r.longest.map((seq) => seq.map((s) => ({ op: s.op, state: s.state }))),
    };
    anomalies.push({
      type: 'nonlinearizable',
      ops: ids,
      indices: historyIndices(opsInvolved),
      explanation,
      ...(multi ? { key: r.key } : {}),
      detail,
    });
  }
  const result: CheckResult = {
    checker: 'linearizable',
    model: `linearizability (${model.name})`,
    valid: anomalies.length > 0 ? false : undecided.length > 0 ? 'unknown' : true,
    anomalies,
    stats: {
      ops: operations.length,
      timeMs,
      partitions: partitions.length,
      zonePartitions,
      undecidedPartitions: undecided.length,
      cachedConfigurations: cached,
      indeterminateDropped: partitions.reduce((n, p) => n + p.droppedInfo, 0),
      indeterminateBounded: partitions.reduce((n, p) => n + p.boundedInfo, 0),
      workers,
    },
  };
  if (undecided.length > 0) {
    const shown = undecided.slice(0, 10).join(', ');
    const more = undecided.length > 10 ? ` and ${undecided.length - 10} more` : '';
    // With a violation found, the rest were stopped on purpose: the verdict did not wait for them.
    const why = stopped ? 'not searched to the end once a violation was found: ' : 'not decided: ';
    result.reason = `${why}${shown}${more}`;
  }
  return result;
}
