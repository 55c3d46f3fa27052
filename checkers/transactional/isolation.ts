// The transactional isolation checker: Elle's inference (list-append or rw-register), the dependency graph
// with process and realtime edges, a typed cycle search per strongly connected component, the axiomatic weak
// levels, and from all of it a verdict for every isolation level. One analysis serves every level's checker.
import { AnomalyGraphBuilder } from '../anomalyGraph.ts';
import type { Operation, Value } from '../history.ts';
import { historyIndices, type Anomaly, type CheckOptions, type CheckResult, type Verdict } from '../result.ts';
import { searchComponent } from './cycleSearch.ts';
import {
  DATA,
  EdgeList,
  PROCESS,
  REALTIME,
  RW,
  WR,
  WW,
  adjacency,
  kindName,
  stronglyConnected,
} from './dependencyGraph.ts';
import { addProcessEdges, addRealtimeEdges, type Inference, type TxnAnomaly } from './inference.ts';
import {
  isolationLevelNames,
  isolationLevels,
  ruledOutBy,
  strongerLevels,
  weakerLevels,
  type IsolationLevel,
} from './isolationLevels.ts';
import { inferListAppend } from './listAppend.ts';
import { inferRwRegister, type RegisterOptions } from './rwRegister.ts';
import { parseTransactions, showMicro, showTxn, type Txn } from './transactions.ts';
import { checkWeakLevels } from './weakLevels.ts';
import { defaultProgressEveryMs } from '../linearizable/checker.ts';
import { runPausing, runToEnd } from '../pausingSteps.ts';

export interface IsolationOptions extends CheckOptions, RegisterOptions {
  /** The level the `isolation` checker judges; strict serializable when not given (Elle's default). */
  isolation?: IsolationLevel;
  /**
   * Whether op times are real time (default true). Histories whose format records none (Plume's text, whose
   * reader makes times up per session) must say false, or realtime edges would be invented.
   */
  realtime?: boolean;
  /**
   * Mutation testing only: leave out every inferred edge of this kind, breaking one inference rule on
   * purpose, so the differential tests can show that they notice.
   */
  brokenRule?: 'ww' | 'wr' | 'rw';
  /** Edge visits the cycle search may spend per strongly connected component (default 2,000,000). */
  cycleSearchSteps?: number;
  /** What is decided so far, sent at least every `progressEveryMs` while the analysis runs (async check only). */
  onProgress?: (progress: IsolationSearchProgress) => void;
  /** How often the analysis pauses to let the event loop run (the progress line, a Ctrl-C); async check only. */
  progressEveryMs?: number;
  /** Stops the analysis at its next pause (the caller has already answered unknown). */
  signal?: AbortSignal;
}

/** Where the isolation analysis is: its stage, and how far the cycle search over components has got. */
export interface IsolationSearchProgress {
  checker: 'isolation';
  stage: 'inference' | 'graph' | 'weak levels' | 'cycles';
  transactions: number;
  /** Dependency edges (ww, wr, rw, process, realtime); 0 until the graph is built. */
  edges: number;
  /** Strongly connected components searched for cycles, of all (0 of 0 until they are found). */
  componentsSearched: number;
  components: number;
  elapsedMs: number;
  /** Time budget left; null when the check has none. */
  budgetLeftMs: number | null;
}

export interface LevelVerdict {
  valid: Verdict;
  reason?: string;
}

export interface IsolationAnalysis {
  shape: 'list-append' | 'rw-register' | 'none';
  levels: Record<IsolationLevel, LevelVerdict>;
  /** Every anomaly found, with `detail.rulesOut` naming the levels it breaks. */
  anomalies: Anomaly[];
  stats: { ops: number; timeMs: number; transactions: number; edges: number; components: number };
}

const defaultSteps = 2_000_000;

function unknownEverywhere(reason: string): Record<IsolationLevel, LevelVerdict> {
  return Object.fromEntries(isolationLevels.map((l) => [l, { valid: 'unknown', reason }])) as Record<
    IsolationLevel,
    LevelVerdict
  >;
}

/** The recorded txn as plain data for the report: process, status and its micro-ops in words. */
function recorded(t: Txn): Value {
  return {
    txn: `T${t.index}`,
    op: t.op.id,
    process: t.process,
    status: t.status,
    micro: t.micro.map(showMicro),
  };
}

function toAnomaly(a: TxnAnomaly, txns: readonly Txn[], graph?: AnomalyGraphBuilder): Anomaly {
  const ts = a.txns.map((i) => txns[i]!);
  const detail: { [k: string]: Value } = {
    rulesOut: [...ruledOutBy(a.type)],
    transactions: ts.map(recorded),
  };
  if (a.element !== undefined) detail['element'] = a.element;
  if (a.micro !== undefined) detail['microOp'] = a.micro;
  if (graph !== undefined) detail['graph'] = graph.detail().graph;
  return {
    type: a.type,
    ops: ts.map((t) => t.op.id),
    indices: historyIndices(ts.map((t) => t.op)),
    explanation: a.explanation,
    ...(a.key !== undefined && { key: a.key }),
    detail,
  };
}

const analyses = new WeakMap<readonly Operation[], Map<string, IsolationAnalysis>>();

function optionKey(options: IsolationOptions): string {
  return JSON.stringify([
    options.sequentialKeys,
    options.linearizableKeys,
    options.cycleSearchSteps,
    options.realtime,
    options.brokenRule,
  ]);
}

function remember(operations: readonly Operation[], key: string, result: IsolationAnalysis): IsolationAnalysis {
  let m = analyses.get(operations);
  if (m === undefined) analyses.set(operations, (m = new Map<string, IsolationAnalysis>()));
  m.set(key, result);
  return result;
}

/** Judges every isolation level at once, on this thread to its end; memoised per operations array and options. */
export function analyzeIsolation(operations: readonly Operation[], options: IsolationOptions = {}): IsolationAnalysis {
  const key = optionKey(options);
  const cached = analyses.get(operations)?.get(key);
  if (cached !== undefined) return cached;
  return remember(operations, key, runToEnd(analysisSteps(operations, options, Infinity)));
}

/**
 * The analysis as the run and `check` run it: it pauses between its stages and every `progressEveryMs` in the
 * cycle search, so the progress line moves and a Ctrl-C is heard on a long history; the same verdicts as
 * analyzeIsolation, and the same memo.
 */
export async function analyzeIsolationAsync(
  operations: readonly Operation[],
  options: IsolationOptions = {},
): Promise<IsolationAnalysis> {
  const key = optionKey(options);
  const cached = analyses.get(operations)?.get(key);
  if (cached !== undefined) return cached;
  const steps = analysisSteps(operations, options, options.progressEveryMs ?? defaultProgressEveryMs);
  return remember(operations, key, await runPausing(steps, options, 'the analysis was stopped'));
}

function* analysisSteps(
  operations: readonly Operation[],
  options: IsolationOptions,
  pauseEveryMs: number,
): Generator<IsolationSearchProgress, IsolationAnalysis, undefined> {
  const started = performance.now();
  const stats = { ops: operations.length, timeMs: 0, transactions: 0, edges: 0, components: 0 };
  const done = (a: Omit<IsolationAnalysis, 'stats'>): IsolationAnalysis => ({
    ...a,
    stats: { ...stats, timeMs: Math.round(performance.now() - started) },
  });
  let lastPause = started;
  let componentsSearched = 0;
  // A pause is due when pauseEveryMs has passed since the last one (never, on the synchronous path).
  const progress = (stage: IsolationSearchProgress['stage']): IsolationSearchProgress | undefined => {
    const now = performance.now();
    if (now - lastPause < pauseEveryMs) return undefined;
    lastPause = now;
    return {
      checker: 'isolation',
      stage,
      transactions: stats.transactions,
      edges: stats.edges,
      componentsSearched,
      components: stats.components,
      elapsedMs: Math.round(now - started),
      budgetLeftMs:
        options.timeBudgetMs === undefined ? null : Math.max(0, options.timeBudgetMs - Math.round(now - started)),
    };
  };
  const parsed = parseTransactions(operations);
  if (typeof parsed === 'string') return done({ shape: 'none', levels: unknownEverywhere(parsed), anomalies: [] });
  const { txns, shape } = parsed;
  stats.transactions = txns.length;
  let pause = progress('inference');
  if (pause !== undefined) yield pause;
  if (!txns.some((t) => t.status === 'ok'))
    return done({ shape, levels: unknownEverywhere('no transaction completed ok: nothing to judge'), anomalies: [] });
  const inference: Inference = shape === 'list-append' ? inferListAppend(txns) : inferRwRegister(txns, options);
  if (inference.unjudgeable !== undefined)
    return done({ shape, levels: unknownEverywhere(inference.unjudgeable), anomalies: [] });

  const anomalies: Anomaly[] = inference.anomalies.map((a) => toAnomaly(a, txns));
  let edges = inference.edges;
  if (options.brokenRule !== undefined) {
    const drop = { ww: WW, wr: WR, rw: RW }[options.brokenRule];
    const kept = new EdgeList();
    for (const k of edges.keys) kept.keyId(k);
    for (let i = 0; i < edges.size; i++)
      if (edges.kind[i] !== drop) kept.add(edges.from[i]!, edges.to[i]!, edges.kind[i]!, edges.key[i]);
    edges = kept;
  }
  pause = progress('graph');
  if (pause !== undefined) yield pause;
  addProcessEdges(txns, edges);
  if (options.realtime !== false) addRealtimeEdges(txns, edges);
  stats.edges = edges.size;
  const g = adjacency(txns.length, edges);
  const components = stronglyConnected(g, DATA | PROCESS | REALTIME);
  // list-append: weak-level violations lie inside components of ww ∪ wr ∪ rw ∪ process, which lie inside
  // these; with none, there is nothing to look at.
  let component: Int32Array | undefined;
  if (shape === 'list-append') {
    component = new Int32Array(txns.length).fill(-1);
    if (components.length > 0)
      stronglyConnected(g, DATA | PROCESS).forEach((members, i) => {
        for (const v of members) component![v] = i;
      });
  }
  stats.components = components.length;
  pause = progress('weak levels');
  if (pause !== undefined) yield pause;
  const weak = checkWeakLevels(txns, inference, edges, component);
  for (const a of weak.anomalies) anomalies.push(toAnomaly(a, txns));
  const ruledOut = new Set<IsolationLevel>();
  const unsearched = new Set<string>();
  let timedOut: string | undefined;
  const steps = options.cycleSearchSteps ?? defaultSteps;
  for (const [done, members] of components.entries()) {
    componentsSearched = done;
    pause = progress('cycles');
    if (pause !== undefined) yield pause;
    if (options.timeBudgetMs !== undefined && performance.now() - started > options.timeBudgetMs) {
      // Out of time: every level not yet ruled out is undecided (the budget note names how much was left).
      for (const l of isolationLevels) if (!ruledOut.has(l)) unsearched.add(l);
      timedOut = `the time budget of ${options.timeBudgetMs} ms ran out with ${components.length - done} of ${components.length} components unsearched`;
      break;
    }
    const found = searchComponent(g, members, ruledOut, { steps });
    for (const u of found.unsearched) unsearched.add(u);
    for (const c of found.cycles) {
      const graph = new AnomalyGraphBuilder();
      const steps = c.edges.map((id) => {
        const a = edges.from[id]!;
        const b = edges.to[id]!;
        graph.edge(txns[a]!.op.id, txns[b]!.op.id, kindName[edges.kind[id]!]!);
        return `T${a} < T${b} because ${inference.explainEdge(edges, id)}`;
      });
      const involved = c.edges.map((id) => edges.from[id]!);
      const explanation = `${steps.join('; ')}: a cycle (${c.type}, in a strongly connected component of ${members.length} transactions). As recorded: ${involved.map((i) => showTxn(txns[i]!)).join('; ')}.`;
      anomalies.push(toAnomaly({ type: c.type, txns: involved, explanation }, txns, graph));
    }
  }

  // Verdicts: ruled out by an anomaly; else unknown where a search was cut short or a check is incomplete.
  for (const a of anomalies) for (const l of ruledOutBy(a.type)) ruledOut.add(l);
  const undecided = new Map<IsolationLevel, string>();
  if (timedOut !== undefined) for (const l of isolationLevels) undecided.set(l, timedOut);
  for (const u of unsearched) {
    const levels = (isolationLevels as readonly string[]).includes(u)
      ? strongerLevels(u as IsolationLevel)
      : ruledOutBy(u);
    for (const l of levels)
      if (!undecided.has(l))
        undecided.set(
          l,
          `the cycle search ran out of its budget (${steps} steps per component) before looking for ${u}`,
        );
  }
  if (weak.causalSkipped !== undefined && !undecided.has('causal')) undecided.set('causal', weak.causalSkipped);
  if (shape === 'rw-register') {
    // Register reads leave version orders partly unknown: no cycle found does not prove the Adya levels.
    const complete = new Set<IsolationLevel>(['read-uncommitted', 'read-committed', 'read-atomic', 'causal']);
    for (const l of isolationLevels)
      if (!complete.has(l) && !undecided.has(l))
        undecided.set(
          l,
          'rw-register version orders are only partly inferred: no anomaly was found, which does not prove this level',
        );
  }
  if (options.realtime === false)
    for (const l of strongerLevels('strict-serializable'))
      undecided.set(l, 'real time was not used (realtime: false), so strict serializability was not checked');
  const levels = {} as Record<IsolationLevel, LevelVerdict>;
  for (const l of isolationLevels) {
    if (ruledOut.has(l)) levels[l] = { valid: false };
    else if (!undecided.has(l)) levels[l] = { valid: true };
  }
  // A level implied by one proven valid is valid too; the rest stay unknown with their reason.
  for (const l of isolationLevels) {
    if (levels[l] !== undefined) continue;
    const proven = isolationLevels.some((s) => levels[s]?.valid === true && weakerLevels(s).has(l));
    levels[l] = proven ? { valid: true } : { valid: 'unknown', reason: undecided.get(l)! };
  }
  return done({ shape, levels, anomalies });
}

/** One level's result, with only the anomalies that rule it out. */
export function checkIsolation(
  operations: readonly Operation[],
  level: IsolationLevel,
  options: IsolationOptions = {},
): CheckResult {
  const started = performance.now();
  return levelResult(analyzeIsolation(operations, options), level, started);
}

/** checkIsolation as the analysis runs it: pausing, with progress (analyzeIsolationAsync). */
export async function checkIsolationAsync(
  operations: readonly Operation[],
  level: IsolationLevel,
  options: IsolationOptions = {},
): Promise<CheckResult> {
  const started = performance.now();
  return levelResult(await analyzeIsolationAsync(operations, options), level, started);
}

function levelResult(analysis: IsolationAnalysis, level: IsolationLevel, started: number): CheckResult {
  const verdict = analysis.levels[level];
  return {
    checker: checkerName(level),
    model: isolationLevelNames[level],
    valid: verdict.valid,
    anomalies: analysis.anomalies.filter((a) => ruledOutBy(a.type).has(level)),
    ...(verdict.reason !== undefined && { reason: verdict.reason }),
    stats: {
      ...analysis.stats,
      timeMs: Math.max(analysis.stats.timeMs, Math.round(performance.now() - started)),
    },
  };
}

/** Checker names: the level's own name, except causal, which says it is the transactional one. */
export function checkerName(level: IsolationLevel): string {
  return level === 'causal' ? 'transactional-causal' : level;
}
