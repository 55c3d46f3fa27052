// Causal memory CM (Ahamad et al. 1995): each process sees one serialization of its causal past that
// explains all of its own reads. Bad patterns CyclicHB and WriteHBInitRead (checking.md §3.3, §3.6): for
// the last op o of each session, HB_o is CO over o's causal past, saturated with "w1 before w2" whenever a
// read of the session returned w2 while w1 (another write of that key) happens-before the read. HB_o grows
// along a session, so the last op decides for the whole session.
import type { Operation } from '../history.ts';
import { isSingleOpHistory } from './registerHistory.ts';
import type { CheckResult, ConsistencyChecker } from '../result.ts';
import type { CausalCheckOptions } from './causal.ts';
import { findCausalReadAnomalies, startCausalCheck } from './causal.ts';
import type { CausalOrder } from './causalOrder.ts';
import { causalEdges, cycleGraph, describeCycle, lastWriteUpTo } from './causalOrder.ts';
import { AnomalyGraphBuilder } from '../anomalyGraph.ts';
import { checkResult } from './checkResult.ts';
import { EdgeList, buildDigraph, findCycle, topologicalOrder } from './digraph.ts';
import { anomalyOf, describeOp } from './registerHistory.ts';

interface SessionVerdict {
  anomaly: ReturnType<typeof anomalyOf> | null;
  rounds: number;
}

/** Runs the HB_o saturation for session s; `hb` is scratch space of n·k entries. */
function checkSessionView(c: CausalOrder, s: number, hb: Int32Array, deadline: number): SessionVerdict | 'timeout' {
  const h = c.h;
  const k = c.k;
  const n = h.ops.length;
  const own = h.sessions[s]!;
  const last = own[own.length - 1]!;
  const limit = c.clocks.subarray(last * k, last * k + k);
  const inPast = (o: number): boolean => h.position[o]! <= limit[h.session[o]!]!;
  const baseEdges = causalEdges(h);
  const extraFrom: number[] = [];
  const extraTo: number[] = [];
  const extraRead: number[] = [];
  for (let rounds = 1; ; rounds++) {
    if (Date.now() > deadline) return 'timeout';
    const edges = new EdgeList();
    for (let i = 0; i < baseEdges.from.length; i++) {
      const u = baseEdges.from[i]!;
      const v = baseEdges.to[i]!;
      if (inPast(u) && inPast(v)) edges.add(u, v, baseEdges.label[i]!);
    }
    for (let i = 0; i < extraFrom.length; i++) edges.add(extraFrom[i]!, extraTo[i]!, extraRead[i]!);
    const g = buildDigraph(n, edges);
    const { order, cyclic } = topologicalOrder(g);
    if (cyclic) {
      const cycle = findCycle(g)!;
      const p = h.ops[last]!.process;
      const { text, steps } = describeCycle(
        h,
        cycle,
        (read, from, to) =>
          `process ${p} must see ${describeOp(h.ops[from]!)} before ${describeOp(h.ops[to]!)}, because ${describeOp(h.ops[read]!)} returned the latter after seeing the former`,
      );
      const ops: Operation[] = [];
      for (const step of cycle) {
        ops.push(h.ops[step.node]!);
        if (step.label >= 0) ops.push(h.ops[step.label]!);
      }
      return {
        anomaly: anomalyOf(
          'CyclicHB',
          ops,
          `process ${p} cannot see its causal past in any one order that explains its own reads (causal memory), since it would need a cycle: ${text}`,
          { ...cycleGraph(h, cycle, { relation: 'ww', seen: 'hb' }).detail(), cycle: steps },
        ),
        rounds,
      };
    }
    hb.fill(-1);
    for (const u of order) {
      if (!inPast(u)) continue;
      const base = u * k;
      hb[base + h.session[u]!] = h.position[u]!;
      for (let e = g.start[u]!; e < g.start[u + 1]!; e++) {
        const v = g.target[e]! * k;
        for (let j = 0; j < k; j++) if (hb[base + j]! > hb[v + j]!) hb[v + j] = hb[base + j]!;
      }
    }
    let added = false;
    for (const r of own) {
      const w2 = h.src[r]!;
      if (h.isWrite[r] || w2 < 0) continue;
      const x = h.keyOf[r]!;
      for (const s1 of c.writersOfKey[x]!) {
        const w1 = lastWriteUpTo(c, s1, x, hb[r * k + s1]!);
        if (w1 < 0 || w1 === w2 || hb[w2 * k + s1]! >= h.position[w1]!) continue;
        extraFrom.push(w1);
        extraTo.push(w2);
        extraRead.push(r);
        added = true;
      }
    }
    if (added) continue;
    for (const r of own) {
      if (h.isWrite[r] || h.src[r]! >= 0) continue;
      const x = h.keyOf[r]!;
      for (const s1 of c.writersOfKey[x]!) {
        const w = lastWriteUpTo(c, s1, x, hb[r * k + s1]!);
        if (w < 0) continue;
        return {
          anomaly: anomalyOf(
            'WriteHBInitRead',
            [h.ops[w]!, h.ops[r]!],
            `${describeOp(h.ops[r]!)}, the initial value, but in every order of its causal past that explains process ${h.ops[r]!.process}'s reads, ${describeOp(h.ops[w]!)} comes before that read (causal memory)`,
            new AnomalyGraphBuilder().edge(h.ops[w]!.id, h.ops[r]!.id, 'hb').detail(),
          ),
          rounds,
        };
      }
    }
    return { anomaly: null, rounds };
  }
}

export function checkCausalMemory(operations: readonly Operation[], options: CausalCheckOptions = {}): CheckResult {
  const started = Date.now();
  const deadline = options.timeBudgetMs === undefined ? Infinity : started + options.timeBudgetMs;
  const base = {
    checker: 'causal-cm',
    model: 'causal memory (CM)',
    ops: operations.length,
    started,
    budgetMs: options.timeBudgetMs,
  };
  const start = startCausalCheck(operations, options, base);
  if ('decided' in start) return start.decided;
  const { h, order, anomalies } = start;
  // CM ⇒ CC: a CC bad pattern already decides, and is the simpler story to tell.
  findCausalReadAnomalies(order, anomalies);
  if (anomalies.count > 0) return checkResult({ ...base, valid: false, anomalies });
  const hb = new Int32Array(h.ops.length * order.k);
  let maxRounds = 0;
  for (let s = 0; s < h.sessions.length; s++) {
    if (h.sessions[s]!.length === 0) continue;
    const verdict = checkSessionView(order, s, hb, deadline);
    if (verdict === 'timeout') {
      return checkResult({
        ...base,
        valid: 'unknown',
        reason: `time budget of ${options.timeBudgetMs} ms ran out after checking ${s} of ${h.sessions.length} sessions`,
        anomalies,
      });
    }
    maxRounds = Math.max(maxRounds, verdict.rounds);
    if (verdict.anomaly !== null) anomalies.add(verdict.anomaly);
  }
  return checkResult({
    ...base,
    valid: anomalies.count === 0,
    anomalies,
    extra: { sessions: h.sessions.length, keys: h.keys.length, saturationRounds: maxRounds },
  });
}

export const causalMemoryChecker: ConsistencyChecker = {
  appliesTo: isSingleOpHistory,
  name: 'causal-cm',
  model: 'causal memory (CM)',
  description:
    'Causal memory (CM, Ahamad et al.): each process sees its causal past in one order that explains all of its own reads.',
  check: checkCausalMemory,
};
