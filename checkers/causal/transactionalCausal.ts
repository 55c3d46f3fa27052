// Transactional causal consistency (TCC) for read/write-register transactions, after Biswas & Enea
// ("On the complexity of checking transactional consistency", OOPSLA 2019): a history is causally consistent
// iff some commit order extends hb = (session order ∪ write-read)+ and, for every read of x in t3 from t1,
// puts every other writer t2 of x with t2 hb t3 before t1. Those constraints follow from hb alone, so the
// check is: hb acyclic, no read of the initial value after a causally preceding write, and
// hb ∪ {t2 → t1} acyclic. Polynomial (O(n² · w) with bitsets); histories of up to 20,000 transactions.
//
// A transaction is an op with f 'txn' whose value lists micro-ops [f, key, value], f 'r' or 'w' (Elle's
// rw-register shape; dbcop and Plume histories are read into it). Written values must be unique per key.
import { AnomalyGraphBuilder } from '../anomalyGraph.ts';
import type { Operation, Value } from '../history.ts';
import {
  historyIndices,
  type Anomaly,
  type CheckOptions,
  type CheckResult,
  type ConsistencyChecker,
} from '../result.ts';
import { escapeControl, seconds, showValue as showReturned } from '../explanationText.ts';

const maxTransactions = 20_000;

interface Txn {
  op: Operation;
  /** Final value written per key. */
  writes: Map<string, Value>;
  /** Reads of values this txn did not write itself, in order. */
  externalReads: { key: string; value: Value }[];
  committed: boolean;
}

const valueKey = (key: string, value: Value) => `${key}\u0000${JSON.stringify(value)}`;

function describeTxn(t: Txn): string {
  return `the txn of process ${t.op.process} (op ${t.op.id} at ${seconds(t.op.call)})`;
}

/** Plume's keys are numbers: "key 1 = 2" reads better than "1 = 2". */
function showKey(key: string): string {
  return /^\d+$/.test(key) ? `key ${key}` : escapeControl(key);
}

function showValue(v: Value): string {
  return v === null ? 'the initial value' : showReturned(v);
}

/** Micro-ops of a txn op, or a reason it is not a register transaction. */
function microOps(op: Operation): [string, string, Value][] | string {
  const body = op.status === 'ok' ? op.output : op.input;
  if (!Array.isArray(body)) return `op ${op.id} is a ${op.f} without a list of micro-ops`;
  const out: [string, string, Value][] = [];
  for (const m of body) {
    if (!Array.isArray(m) || m.length !== 3 || (m[0] !== 'r' && m[0] !== 'w'))
      return `op ${op.id} has a micro-op ${showReturned(m)}; only [r|w, key, value] register transactions are supported`;
    out.push([m[0], typeof m[1] === 'string' ? m[1] : JSON.stringify(m[1]), m[2] ?? null]);
  }
  return out;
}

export function checkTransactionalCausal(operations: readonly Operation[], options: CheckOptions = {}): CheckResult {
  const started = Date.now();
  const result = (valid: CheckResult['valid'], anomalies: Anomaly[], reason?: string): CheckResult => ({
    checker: 'causal-tx',
    model: 'transactional causal consistency',
    valid,
    anomalies,
    ...(reason !== undefined && { reason }),
    stats: { ops: operations.length, timeMs: Date.now() - started, transactions: txns.length },
  });
  const txns: Txn[] = [];
  const anomalies: Anomaly[] = [];
  const anomaly = (type: string, involved: Txn[], explanation: string, key?: string, path?: PathGraph) => {
    const ops = involved.map((t) => t.op);
    anomalies.push({
      type,
      ops: ops.map((o) => o.id),
      indices: historyIndices(ops),
      explanation,
      ...(key !== undefined && { key }),
      ...(path !== undefined && { detail: pathGraph(path, txns, edgeRelation) }),
    });
  };

  for (const op of operations) {
    if (op.f !== 'txn')
      return result(
        'unknown',
        [],
        `op ${op.id} is a ${op.f}, not a txn: use the causal-cc checker for single-op histories`,
      );
    const micro = microOps(op);
    if (typeof micro === 'string') return result('unknown', [], micro);
    const t: Txn = { op, writes: new Map(), externalReads: [], committed: op.status !== 'fail' };
    const readsKnown = op.status === 'ok';
    for (const [f, key, value] of micro) {
      if (f === 'w') t.writes.set(key, value);
      else if (readsKnown) {
        if (t.writes.has(key)) {
          const own = t.writes.get(key)!;
          if (JSON.stringify(own) !== JSON.stringify(value))
            anomaly(
              'InternalRead',
              [t],
              `${describeTxn(t)} wrote ${showKey(key)} = ${showValue(own)} and then read ${showKey(key)} = ${showValue(value)} in the same transaction.`,
              key,
            );
        } else t.externalReads.push({ key, value });
      }
    }
    txns.push(t);
  }
  if (txns.length > maxTransactions)
    return result('unknown', [], `${txns.length} transactions is more than this checker's limit of ${maxTransactions}`);

  // Who wrote what: final writes of committed (ok or info) txns; intermediate and aborted writes apart.
  const writerOf = new Map<string, Txn>();
  const overwritten = new Map<string, Txn>();
  const aborted = new Map<string, Txn>();
  const writersOfKey = new Map<string, Txn[]>();
  for (const t of txns) {
    const micro = microOps(t.op) as [string, string, Value][];
    for (const [f, key, value] of micro) {
      if (f !== 'w') continue;
      const k = valueKey(key, value);
      if (value === null)
        return result('unknown', [], `op ${t.op.id} writes null to ${showKey(key)}: null stands for the initial value`);
      if (writerOf.has(k) || aborted.has(k) || overwritten.has(k))
        return result(
          'unknown',
          [],
          `${showKey(key)} = ${showReturned(value)} is written twice: this checker needs unique written values per key`,
        );
      if (!t.committed) aborted.set(k, t);
      else if (JSON.stringify(t.writes.get(key)) === JSON.stringify(value)) writerOf.set(k, t);
      else overwritten.set(k, t);
    }
    // Pushed, not copied: copying the list for each writer was quadratic in a key's writers.
    if (t.committed)
      for (const key of t.writes.keys()) {
        const writers = writersOfKey.get(key);
        if (writers === undefined) writersOfKey.set(key, [t]);
        else writers.push(t);
      }
  }

  const n = txns.length;
  const index = new Map(txns.map((t, i) => [t, i]));
  const succ: number[][] = txns.map(() => []);
  const edgeKind = new Map<string, string>();
  // The short name of each edge's relation (so, wr, ww) for the report's diagram.
  const edgeRelation = new Map<string, string>();
  const addEdge = (a: number, b: number, kind: string, relation: string) => {
    if (a === b || edgeKind.has(`${a},${b}`)) return;
    succ[a]!.push(b);
    edgeKind.set(`${a},${b}`, kind);
    edgeRelation.set(`${a},${b}`, relation);
  };
  // Session order: each process's txns in invoke order.
  const lastOfProcess = new Map<number, number>();
  txns
    .map((t, i) => [t, i] as const)
    .sort((a, b) => a[0].op.invokeIndex - b[0].op.invokeIndex)
    .forEach(([t, i]) => {
      const prev = lastOfProcess.get(t.op.process);
      if (prev !== undefined) addEdge(prev, i, 'is followed in its session by', 'so');
      lastOfProcess.set(t.op.process, i);
    });
  // Write-read: who each external read read from.
  const readsFrom: { reader: number; key: string; value: Value; from: number | null }[] = [];
  for (const [i, t] of txns.entries()) {
    for (const { key, value } of t.externalReads) {
      if (value === null) {
        readsFrom.push({ reader: i, key, value, from: null });
        continue;
      }
      const k = valueKey(key, value);
      const w = writerOf.get(k);
      if (w === t)
        anomaly(
          'FutureRead',
          [t],
          `${describeTxn(t)} read ${showKey(key)} = ${showValue(value)}, which it only writes later itself.`,
          key,
        );
      else if (w !== undefined) {
        addEdge(index.get(w)!, i, `wrote ${showKey(key)} = ${showValue(value)}, read by`, 'wr');
        readsFrom.push({ reader: i, key, value, from: index.get(w)! });
      } else if (overwritten.has(k)) {
        const by = overwritten.get(k)!;
        anomaly(
          'IntermediateRead',
          [t, by],
          `${describeTxn(t)} read ${showKey(key)} = ${showValue(value)}, an intermediate value that ${describeTxn(by)} overwrote before committing.`,
          key,
        );
      } else if (aborted.has(k)) {
        const by = aborted.get(k)!;
        anomaly(
          'AbortedRead',
          [t, by],
          `${describeTxn(t)} read ${showKey(key)} = ${showValue(value)}, written only by ${describeTxn(by)}, which failed.`,
          key,
        );
      } else
        anomaly(
          'ThinAirRead',
          [t],
          `${describeTxn(t)} read ${showKey(key)} = ${showValue(value)}, which no transaction wrote.`,
          key,
        );
    }
  }
  const budgetLeft = () => options.timeBudgetMs === undefined || Date.now() - started < options.timeBudgetMs;

  const cycle = findCycle(n, succ);
  if (cycle !== null) {
    anomaly(
      'CyclicCO',
      cycle.map((i) => txns[i]!),
      `Causal order has a cycle: ${explainPath(cycle, txns, edgeKind, true)}. No order of these transactions can respect both each process's order and what each read.`,
      undefined,
      { path: cycle, cycle: true },
    );
    return result(false, anomalies);
  }
  // hb predecessors as bitsets, in topological order.
  const words = Math.ceil(n / 32);
  const preds = Array.from({ length: n }, () => new Uint32Array(words));
  for (const i of topologicalOrder(n, succ)) {
    for (const j of succ[i]!) {
      const pj = preds[j]!;
      const pi = preds[i]!;
      for (let w = 0; w < words; w++) pj[w]! |= pi[w]!;
      pj[i >>> 5]! |= 1 << (i & 31);
    }
  }
  const hb = (a: number, b: number) => ((preds[b]![a >>> 5]! >>> (a & 31)) & 1) === 1;

  const derived: number[][] = succ.map((s) => [...s]);
  for (const { reader, key, from } of readsFrom) {
    if (!budgetLeft()) return result('unknown', anomalies, `the time budget of ${options.timeBudgetMs} ms ran out`);
    for (const w of writersOfKey.get(key) ?? []) {
      const t2 = index.get(w)!;
      if (t2 === from || t2 === reader || !hb(t2, reader)) continue;
      if (from === null) {
        const path = hbPath(t2, reader, succ);
        anomaly(
          'WriteCOInitRead',
          path.map((i) => txns[i]!),
          `${describeTxn(txns[reader]!)} read ${showKey(key)} = the initial value, but it causally follows ${describeTxn(w)}, which wrote ${showKey(key)} = ${showValue(w.writes.get(key)!)}: ${explainPath(path, txns, edgeKind)}.`,
          key,
          { path, cycle: false },
        );
      } else if (!derived[t2]!.includes(from)) {
        derived[t2]!.push(from);
        edgeKind.set(
          `${t2},${from}`,
          `must commit before (both wrote ${showKey(key)}, and ${describeTxn(txns[reader]!)} read the latter's value after causally seeing the former)`,
        );
        edgeRelation.set(`${t2},${from}`, 'ww');
      }
    }
  }
  if (anomalies.length > 0) return result(false, anomalies);
  const conflict = findCycle(n, derived);
  if (conflict !== null) {
    anomaly(
      'CyclicCF',
      conflict.map((i) => txns[i]!),
      `No commit order explains what was read: ${explainPath(conflict, txns, edgeKind, true)}.`,
      undefined,
      { path: conflict, cycle: true },
    );
  }
  return result(anomalies.length === 0, anomalies);
}

function topologicalOrder(n: number, succ: number[][]): number[] {
  const indegree = new Array<number>(n).fill(0);
  for (const s of succ) for (const j of s) indegree[j]!++;
  const order: number[] = [];
  const ready = [...indegree.keys()].filter((i) => indegree[i] === 0);
  while (ready.length > 0) {
    const i = ready.pop()!;
    order.push(i);
    for (const j of succ[i]!) if (--indegree[j]! === 0) ready.push(j);
  }
  return order;
}

/** A cycle as a list of nodes, or null when the graph is acyclic (iterative DFS). */
function findCycle(n: number, succ: number[][]): number[] | null {
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const parent = new Int32Array(n).fill(-1);
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, k] = top;
      const next = succ[v]![k];
      if (next === undefined) {
        state[v] = 2;
        stack.pop();
        continue;
      }
      top[1]++;
      if (state[next] === 1) {
        // Back edge v -> next: the cycle is next -> ... -> v along the DFS tree, then back to next.
        const cycle: number[] = [];
        for (let u = v; u !== next; u = parent[u]!) cycle.push(u);
        cycle.push(next);
        return cycle.reverse();
      }
      if (state[next] === 0) {
        state[next] = 1;
        parent[next] = v;
        stack.push([next, 0]);
      }
    }
  }
  return null;
}

/** The shortest so/wr path from a to b (both included). */
function hbPath(a: number, b: number, succ: number[][]): number[] {
  const from = new Map<number, number>([[a, a]]);
  const queue = [a];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    if (v === b) break;
    for (const w of succ[v]!) {
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  const path = [b];
  while (path[0] !== a) path.unshift(from.get(path[0]!)!);
  return path;
}

interface PathGraph {
  path: number[];
  cycle: boolean;
}

/** A path or cycle of txns as an anomaly graph, each edge named by the relation that put it in hb (or ww). */
function pathGraph({ path, cycle }: PathGraph, txns: Txn[], edgeRelation: Map<string, string>) {
  const g = new AnomalyGraphBuilder();
  const nodes = cycle ? [...path, path[0]!] : path;
  for (let i = 1; i < nodes.length; i++) {
    const relation = edgeRelation.get(`${nodes[i - 1]},${nodes[i]}`);
    if (relation !== undefined) g.edge(txns[nodes[i - 1]!]!.op.id, txns[nodes[i]!]!.op.id, relation);
  }
  return g.detail();
}

/** "A, which <edge> B, which <edge> C"; for a cycle, the edge back to A closes it. */
function explainPath(path: number[], txns: Txn[], edgeKind: Map<string, string>, cycle = false): string {
  const nodes = cycle ? [...path, path[0]!] : path;
  const steps: string[] = [describeTxn(txns[nodes[0]!]!)];
  for (let i = 1; i < nodes.length; i++) {
    const target = cycle && i === nodes.length - 1 ? 'the first again' : describeTxn(txns[nodes[i]!]!);
    steps.push(`${edgeKind.get(`${nodes[i - 1]},${nodes[i]}`) ?? 'precedes'} ${target}`);
  }
  return steps.join(', which ');
}

export const transactionalCausalChecker: ConsistencyChecker = {
  name: 'causal-tx',
  model: 'transactional causal consistency',
  description:
    'Causal consistency for read/write transactions (Biswas & Enea): dbcop, Plume and Elle rw-register histories.',
  check: checkTransactionalCausal,
  appliesTo: (operations) => operations.some((op) => op.f === 'txn'),
};
