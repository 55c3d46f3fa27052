// Sequential consistency for read/write registers and key-value histories with unique values: one total
// order of all ops that keeps each process's program order and in which every read returns the latest write
// (no real-time constraint). One key: exact in O(n) by blocks (registerClusters.ts). Several keys: SC is not
// compositional and is NP-complete even with unique values, so first the fast necessary conditions
// (coherence of every key, causal convergence), then the exact frontier search under a budget.
import { AnomalyGraphBuilder } from '../anomalyGraph.ts';
import type { Operation } from '../history.ts';
import { isSingleOpHistory } from '../causal/registerHistory.ts';
import type { Anomaly, CheckOptions, CheckResult, ConsistencyChecker } from '../result.ts';
import { findCausalReadAnomalies, findConvergenceCycle } from '../causal/causal.ts';
import { computeCausalOrder } from '../causal/causalOrder.ts';
import { AnomalyCollector, checkResult } from '../causal/checkResult.ts';
import type { RegisterHistoryOptions } from '../causal/registerHistory.ts';
import { anomalyOf, prepareRegisterHistory } from '../causal/registerHistory.ts';
import {
  describeBlockedFrontier,
  frontierSearchSteps,
  guessSequentialOrder,
  sequentialConstraints,
} from './frontierSearch.ts';
import type { FrontierSearchResult } from './frontierSearch.ts';
import { defaultProgressEveryMs } from '../linearizable/checker.ts';
import { runPausing, runToEnd } from '../pausingSteps.ts';
import { EdgeList, buildDigraph, findCycle } from '../causal/digraph.ts';
import type { RegisterHistory } from '../causal/registerHistory.ts';
import { describeOp } from '../causal/registerHistory.ts';
import { blockOrder } from './registerClusters.ts';
import { summariseSteps } from '../explanationText.ts';
import { saturateWriteOrderSteps, saturatedConstraints } from './writeOrderSaturation.ts';
import type { SaturationResult } from './writeOrderSaturation.ts';

export interface SequentialCheckOptions extends CheckOptions, RegisterHistoryOptions {
  /** Frontiers the multi-key search may remember before it answers unknown. Default 2,000,000. */
  maxSearchStates?: number;
  /** Derive forced write orders before the search (writeOrderSaturation.ts). Default true; tests of the bare search turn it off. */
  saturate?: boolean;
  /** What is decided so far, sent at least every `progressEveryMs` while the check runs (async check only). */
  onProgress?: (progress: SequentialSearchProgress) => void;
  /**
   * How often the saturation and the search pause to let the event loop run (the progress line's repaint, a
   * Ctrl-C) and report progress. Default defaultProgressEveryMs (as linearizability's); async check only.
   */
  progressEveryMs?: number;
  /** Stops the check at its next pause (the analysis has already answered unknown). */
  signal?: AbortSignal;
}

/**
 * What an SC check has decided so far, for the live check line (issue 14): SC is not compositional, so keys
 * are not decided one by one; each key's coherence is (a necessary condition), then the whole history's
 * write orders are derived and its frontiers searched, with the most ops placed in one order so far.
 */
export interface SequentialSearchProgress {
  checker: 'sequential';
  stage: 'coherence' | 'write orders' | 'search';
  /** Keys found coherent (each alone sequentially consistent), of all keys. */
  keysCoherent: number;
  keys: number;
  /** Write orders (and read-before-overwrite edges) derived so far that every sequential order must hold. */
  forcedOrders: number;
  /** Frontiers the multi-key search has visited, and its state budget. */
  frontiers: number;
  maxFrontiers: number;
  /** The most ops the search has placed in one sequential order, of all ops. */
  placed: number;
  ops: number;
  elapsedMs: number;
  /** Time budget left; null when the check has none. */
  budgetLeftMs: number | null;
}

/** Without an explicit budget the multi-key search stops after this long and answers unknown. */
export const DEFAULT_SEARCH_BUDGET_MS = 10_000;

const name = 'sequential';
const model = 'sequential consistency';

/** The check on this thread, to its end (no pauses, no progress). */
export function checkSequential(operations: readonly Operation[], options: SequentialCheckOptions = {}): CheckResult {
  return runToEnd(sequentialSteps(operations, options, Infinity));
}

/**
 * The check as the analysis runs it: the saturation and the search pause every `progressEveryMs` to let the
 * event loop run and to report what is decided to `onProgress`; the verdict is the same as checkSequential's.
 */
export async function checkSequentialAsync(
  operations: readonly Operation[],
  options: SequentialCheckOptions = {},
): Promise<CheckResult> {
  const steps = sequentialSteps(operations, options, options.progressEveryMs ?? defaultProgressEveryMs);
  return runPausing(steps, options, 'the search was stopped');
}

/** The check, pausing every `pauseEveryMs` (after the coherence check, in the saturation and the search) with its progress. */
function* sequentialSteps(
  operations: readonly Operation[],
  options: SequentialCheckOptions,
  pauseEveryMs: number,
): Generator<SequentialSearchProgress, CheckResult, undefined> {
  const started = Date.now();
  const base = { checker: name, model, ops: operations.length, started, budgetMs: options.timeBudgetMs };
  const prepared = prepareRegisterHistory(operations, options);
  if (!prepared.ok) return checkResult({ ...base, valid: 'unknown', reason: prepared.reason });
  const h = prepared.history;
  const anomalies = new AnomalyCollector();
  for (const a of h.readAnomalies) anomalies.add(a);
  if (anomalies.count > 0) return checkResult({ ...base, valid: false, anomalies });
  const extra = { sessions: h.sessions.length, keys: h.keys.length };
  const blocks = blockOrder(h);
  if (blocks.anomaly !== null) {
    anomalies.add(blocks.anomaly);
    return checkResult({ ...base, valid: false, anomalies, extra });
  }
  if (h.keys.length <= 1) return checkResult({ ...base, valid: true, anomalies, extra: { ...extra, exact: 1 } });
  const budget = options.timeBudgetMs ?? DEFAULT_SEARCH_BUDGET_MS;
  const maxStates = options.maxSearchStates ?? 2_000_000;
  const progress: SequentialSearchProgress = {
    checker: 'sequential',
    stage: 'coherence',
    keysCoherent: h.keys.length,
    keys: h.keys.length,
    forcedOrders: 0,
    frontiers: 0,
    maxFrontiers: maxStates,
    placed: 0,
    ops: h.ops.length,
    elapsedMs: 0,
    budgetLeftMs: budget,
  };
  const snapshot = (): SequentialSearchProgress => {
    const elapsedMs = Date.now() - started;
    return { ...progress, elapsedMs, budgetLeftMs: Math.max(0, budget - elapsedMs) };
  };
  // Every key is coherent: the first report, before the slow parts.
  if (pauseEveryMs !== Infinity) yield snapshot();

  // SC ⇒ CCv: a causal-convergence bad pattern is a cheap, well-explained refutation.
  const co = computeCausalOrder(h);
  let before = blocks.before;
  if (co.ok) {
    const cf: number[] = [];
    findCausalReadAnomalies(co.order, anomalies, cf);
    const cycle = anomalies.count === 0 ? findConvergenceCycle(h, cf) : null;
    if (cycle !== null) anomalies.add(cycle);
    if (anomalies.count > 0) {
      for (const a of anomalies.anomalies)
        a.explanation = `not even causally convergent, so not sequentially consistent: ${a.explanation}`;
      return checkResult({ ...base, valid: false, anomalies, extra });
    }
    for (let i = 0; i < cf.length; i += 3) before.push(cf[i]!, cf[i + 1]!);
  } else if ('anomaly' in co) {
    anomalies.add(co.anomaly);
    return checkResult({ ...base, valid: false, anomalies, extra });
  }

  // Write orders forced by the ones already known, to a fixpoint: often a cycle with no search at all.
  let saturated: SaturationResult = { kind: 'skipped', reason: 'turned off' };
  if (options.saturate !== false) {
    progress.stage = 'write orders';
    const saturation = saturateWriteOrderSteps(h, before, started + budget / 2, pauseEveryMs);
    for (let step = saturation.next(); ; step = saturation.next()) {
      if (step.done === true) {
        saturated = step.value;
        break;
      }
      progress.forcedOrders = step.value;
      yield snapshot();
    }
  }
  if (saturated.kind !== 'skipped') progress.forcedOrders = saturated.added;
  const saturationStats =
    saturated.kind === 'skipped' ? {} : { saturationRounds: saturated.rounds, saturationPairs: saturated.added };
  if (saturated.kind === 'cyclic') {
    anomalies.add(constraintCycleAnomaly(h, saturatedConstraints(h, saturated.before, saturated.readBeforeWrite)));
    return checkResult({ ...base, valid: false, anomalies, extra: { ...extra, ...saturationStats } });
  }
  if (saturated.kind === 'ok') before = saturated.before;
  const rank = guessSequentialOrder(h, before);
  if (rank === null) {
    anomalies.add(constraintCycleAnomaly(h, sequentialConstraints(h, before)));
    return checkResult({ ...base, valid: false, anomalies, extra });
  }
  progress.stage = 'search';
  const search = frontierSearchSteps(h, { deadline: started + budget, maxStates, before, rank, pauseEveryMs });
  let result: FrontierSearchResult;
  for (let step = search.next(); ; step = search.next()) {
    if (step.done === true) {
      result = step.value;
      break;
    }
    progress.frontiers = step.value.states;
    progress.placed = step.value.placedAtDeepest;
    yield snapshot();
  }
  const searchStats = { ...extra, ...saturationStats, searchStates: result.states };
  if (result.verdict === true) return checkResult({ ...base, valid: true, anomalies, extra: searchStats });
  const reached = { ...searchStats, searchPlaced: result.placedAtDeepest, searchOps: h.ops.length };
  if (result.verdict === 'unknown') {
    return checkResult({
      ...base,
      valid: 'unknown',
      reason: `${result.reason} (${budget} ms) in the multi-key search after ${result.states} frontiers; the furthest it got was ${result.placedAtDeepest} of ${h.ops.length} ops placed in one sequential order. Every key is coherent and the history is causally convergent.`,
      anomalies,
      extra: reached,
    });
  }
  const blocked = describeBlockedFrontier(h, result.deepest);
  const graph = new AnomalyGraphBuilder();
  for (const o of blocked.ops) graph.node(h.ops[o]!.id);
  for (const e of blocked.edges) graph.edge(h.ops[e.from]!.id, h.ops[e.to]!.id, e.relation);
  anomalies.add(
    anomalyOf(
      'NoSequentialOrder',
      blocked.ops.map((o) => h.ops[o]!),
      `no single order of all ops keeps every process's program order and explains every read (the search tried all ${result.states} reachable frontiers). At best ${result.placedAtDeepest} of ${h.ops.length} ops could be placed; there ${blocked.text}.`,
      graph.detail(),
    ),
  );
  return checkResult({ ...base, valid: false, anomalies, extra: reached });
}

/** The relation of each constraint label, as the diagram names it: rw is "read before the overwrite". */
const constraintRelations = ['po', 'rf', 'ww', 'rw', 'rw'];

const constraintReasons = [
  'program order',
  'it reads that write',
  'a write order the reads force',
  'a read happens before its value is overwritten',
  'the initial value is read before any write of its key',
];

/** The orders every sequential order must respect close a cycle: name each step. */
function constraintCycleAnomaly(h: RegisterHistory, constraints: EdgeList): Anomaly {
  const cycle = findCycle(buildDigraph(h.ops.length, constraints))!;
  const steps = cycle.map((step, i) => {
    const next = cycle[(i + 1) % cycle.length]!.node;
    return `${describeOp(h.ops[step.node]!)} precedes ${describeOp(h.ops[next]!)} (${constraintReasons[step.label] ?? 'required'})`;
  });
  const graph = new AnomalyGraphBuilder();
  cycle.forEach((step, i) => {
    const next = cycle[(i + 1) % cycle.length]!.node;
    graph.edge(h.ops[step.node]!.id, h.ops[next]!.id, constraintRelations[step.label] ?? 'precedes');
  });
  return anomalyOf(
    'NoSequentialOrder',
    cycle.map((s) => h.ops[s.node]!),
    `no single order of all ops keeps every process's program order and explains every read, because these orders form a cycle: ${summariseSteps(steps)}`,
    { ...graph.detail(), cycle: steps },
  );
}

export const sequentialChecker: ConsistencyChecker = {
  appliesTo: isSingleOpHistory,
  name,
  model,
  description:
    'Sequential consistency: one order of all ops that keeps each process’s order and explains every read (no real-time constraint). Exact; multi-key histories use a budgeted search.',
  check: checkSequentialAsync,
};
