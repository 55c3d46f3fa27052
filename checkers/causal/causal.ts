// Causal consistency CC and causal convergence CCv for read/write registers with unique values, by the bad
// patterns of Bouajjani et al. (POPL'17) found with vector clocks in O(n·k·log n) (checking.md §3.3, §3.5).
import type { Operation } from '../history.ts';
import { isSingleOpHistory } from './registerHistory.ts';
import type { CheckOptions, CheckResult, ConsistencyChecker } from '../result.ts';
import type { CausalOrder } from './causalOrder.ts';
import {
  READS_FROM,
  addPathEdges,
  causalEdges,
  causalPath,
  causallyBefore,
  computeCausalOrder,
  cycleGraph,
  describeCycle,
  describePath,
  describePathSteps,
  lastWriteUpTo,
} from './causalOrder.ts';
import { AnomalyCollector, checkResult } from './checkResult.ts';
import type { ResultParts } from './checkResult.ts';
import { buildDigraph, findCycle } from './digraph.ts';
import { AnomalyGraphBuilder } from '../anomalyGraph.ts';
import type { RegisterHistory, RegisterHistoryOptions } from './registerHistory.ts';
import { anomalyOf, describeOp, prepareRegisterHistory, showValue } from './registerHistory.ts';
import { escapeControl } from '../explanationText.ts';

export type CausalCheckOptions = CheckOptions & RegisterHistoryOptions;

/** WriteCOInitRead and WriteCORead for every read; collects CF edges (w must be arbitrated before src). */
export function findCausalReadAnomalies(c: CausalOrder, anomalies: AnomalyCollector, cfEdges?: number[]): void {
  const h = c.h;
  const k = c.k;
  for (let r = 0; r < h.ops.length; r++) {
    if (h.isWrite[r]) continue;
    const x = h.keyOf[r]!;
    const src = h.src[r]!;
    for (const s of c.writersOfKey[x]!) {
      const w = lastWriteUpTo(c, s, x, c.clocks[r * k + s]!);
      if (w < 0 || w === src) continue;
      if (src < 0) {
        if (anomalies.wantsMore) anomalies.add(initReadAnomaly(c, w, r));
        else anomalies.count++;
        break;
      }
      if (causallyBefore(c, src, w)) {
        if (anomalies.wantsMore) anomalies.add(staleReadAnomaly(c, src, w, r));
        else anomalies.count++;
      }
      cfEdges?.push(w, src, r);
    }
  }
}

function initReadAnomaly(c: CausalOrder, w: number, r: number): ReturnType<typeof anomalyOf> {
  const h = c.h;
  const path = causalPath(c, w, r);
  const read = h.ops[r]!;
  const graph = new AnomalyGraphBuilder();
  addPathEdges(graph, h, path);
  return anomalyOf(
    'WriteCOInitRead',
    path.map((o) => h.ops[o]!),
    `${describeOp(read)}, the initial value, although it causally follows a write of ${read.key === undefined ? 'the register' : escapeControl(read.key)}: ${describePath(c, path)}. Once a process has seen (directly or through others) a write, it may not read the initial value again.`,
    { ...graph.detail(), path: describePathSteps(c, path) },
  );
}

function staleReadAnomaly(c: CausalOrder, src: number, w: number, r: number): ReturnType<typeof anomalyOf> {
  const h = c.h;
  const before = causalPath(c, src, w);
  const after = causalPath(c, w, r).slice(1);
  const ops = [...before, ...after].map((o) => h.ops[o]!);
  const read = h.ops[r]!;
  // src ⇝ w ⇝ r along CO, and r read src: the read missed the overwrite it causally saw.
  const graph = new AnomalyGraphBuilder();
  addPathEdges(graph, h, [...before, ...after]);
  graph.edge(h.ops[src]!.id, read.id, 'rf');
  return anomalyOf(
    'WriteCORead',
    ops,
    `${describeOp(read)}, but that value was causally overwritten before the read: ${describePath(c, [...before, ...after])}. The read causally follows the write of ${showValue(h.ops[w]!.input)}, which causally follows the write of ${showValue(read.output)} it returned.`,
    { ...graph.detail(), path: describePathSteps(c, [...before, ...after]) },
  );
}

/** CyclicCF: po ∪ rf plus "w before src" edges has a cycle, so no single arbitration order exists. */
export function findConvergenceCycle(
  h: RegisterHistory,
  cfEdges: readonly number[],
): ReturnType<typeof anomalyOf> | null {
  const edges = causalEdges(h);
  for (let i = 0; i < cfEdges.length; i += 3) edges.add(cfEdges[i]!, cfEdges[i + 1]!, cfEdges[i + 2]!);
  const cycle = findCycle(buildDigraph(h.ops.length, edges));
  if (cycle === null) return null;
  const { text, steps } = describeCycle(
    h,
    cycle,
    (read, from, to) =>
      `${describeOp(h.ops[from]!)} must be ordered before ${describeOp(h.ops[to]!)}, because ${describeOp(h.ops[read]!)} returned the latter after causally seeing the former`,
  );
  const ops: Operation[] = [];
  for (const step of cycle) {
    ops.push(h.ops[step.node]!);
    if (step.label >= 0 && step.label !== READS_FROM) ops.push(h.ops[step.label]!);
  }
  return anomalyOf(
    'CyclicCF',
    ops,
    `no single order of the writes explains every read (causal convergence), since it would need a cycle: ${text}`,
    { ...cycleGraph(h, cycle).detail(), cycle: steps },
  );
}

/**
 * What every causal register check starts with: the history prepared (its read anomalies collected) and its
 * causal order computed, or the result when that already decides: an unsupported history is unknown, a cycle
 * in the causal order a violation.
 */
export function startCausalCheck(
  operations: readonly Operation[],
  options: CausalCheckOptions,
  base: Omit<ResultParts, 'valid'>,
): { decided: CheckResult } | { h: RegisterHistory; order: CausalOrder; anomalies: AnomalyCollector } {
  const prepared = prepareRegisterHistory(operations, options);
  if (!prepared.ok) return { decided: checkResult({ ...base, valid: 'unknown', reason: prepared.reason }) };
  const h = prepared.history;
  const anomalies = new AnomalyCollector();
  for (const a of h.readAnomalies) anomalies.add(a);
  const co = computeCausalOrder(h);
  if (!co.ok && 'reason' in co)
    return { decided: checkResult({ ...base, valid: 'unknown', reason: co.reason, anomalies }) };
  if (!co.ok) {
    anomalies.add(co.anomaly);
    return { decided: checkResult({ ...base, valid: false, anomalies }) };
  }
  return { h, order: co.order, anomalies };
}

export interface CausalVariantSpec {
  checker: string;
  model: string;
  convergence: boolean;
}

export function checkCausalVariant(
  spec: CausalVariantSpec,
  operations: readonly Operation[],
  options: CausalCheckOptions = {},
): CheckResult {
  const started = Date.now();
  const base = {
    checker: spec.checker,
    model: spec.model,
    ops: operations.length,
    started,
    budgetMs: options.timeBudgetMs,
  };
  const start = startCausalCheck(operations, options, base);
  if ('decided' in start) return start.decided;
  const { h, order, anomalies } = start;
  const cf: number[] | undefined = spec.convergence ? [] : undefined;
  findCausalReadAnomalies(order, anomalies, cf);
  if (cf !== undefined) {
    const cycle = findConvergenceCycle(h, cf);
    if (cycle !== null) anomalies.add(cycle);
  }
  return checkResult({
    ...base,
    valid: anomalies.count === 0,
    anomalies,
    extra: { sessions: h.sessions.length, keys: h.keys.length },
  });
}

export const causalChecker: ConsistencyChecker = {
  appliesTo: isSingleOpHistory,
  name: 'causal-cc',
  model: 'causal consistency (CC)',
  description:
    'Causal consistency (CC): every read is explained by its causal past; concurrent writes may be seen in different orders. Read/write registers with unique values.',
  check: (operations, options) =>
    checkCausalVariant(
      { checker: 'causal-cc', model: 'causal consistency (CC)', convergence: false },
      operations,
      options,
    ),
};

export const causalConvergenceChecker: ConsistencyChecker = {
  appliesTo: isSingleOpHistory,
  name: 'causal-ccv',
  model: 'causal convergence (CCv)',
  description:
    'Causal convergence (CCv): causal consistency plus one global order of concurrent writes that every process agrees on (last-writer-wins stores).',
  check: (operations, options) =>
    checkCausalVariant(
      { checker: 'causal-ccv', model: 'causal convergence (CCv)', convergence: true },
      operations,
      options,
    ),
};
