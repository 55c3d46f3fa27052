// Session guarantees (Terry et al. 1994) for read/write registers with unique values, per key: monotonic
// reads, monotonic writes, read-your-writes, writes-follow-reads, alone or together (checking.md §4.2).
// They hold iff some per-key write order satisfies every "a before b" they force; the constraints form a
// graph whose edges mean "≤", and the history violates them iff a strongly connected component holds two
// different writes. Virtual chain nodes keep the "every earlier A before this B" constraints linear.
import { AnomalyGraphBuilder } from '../anomalyGraph.ts';
import type { Operation } from '../history.ts';
import type { Anomaly, CheckOptions, CheckResult } from '../result.ts';
import { AnomalyCollector, checkResult } from '../causal/checkResult.ts';
import type { CycleStep } from '../causal/digraph.ts';
import { EdgeList, buildDigraph, shortestPath, stronglyConnectedComponents } from '../causal/digraph.ts';
import type { RegisterHistory, RegisterHistoryOptions } from '../causal/registerHistory.ts';
import { anomalyOf, describeOp, prepareRegisterHistory, showValue } from '../causal/registerHistory.ts';
import { escapeControl, opAt, summariseSteps } from '../explanationText.ts';

export type SessionGuarantee = 'monotonic-reads' | 'monotonic-writes' | 'read-your-writes' | 'writes-follow-reads';

export const SESSION_GUARANTEES: readonly SessionGuarantee[] = [
  'monotonic-reads',
  'monotonic-writes',
  'read-your-writes',
  'writes-follow-reads',
];

export const guaranteeNames: Record<SessionGuarantee, string> = {
  'monotonic-reads': 'monotonic reads',
  'monotonic-writes': 'monotonic writes',
  'read-your-writes': 'read your writes',
  'writes-follow-reads': 'writes follow reads',
};

export type SessionCheckOptions = CheckOptions & RegisterHistoryOptions;

/** Why an edge exists: the guarantee and the ops that forced it (-1 when the other end of a chain has it). */
interface EdgeReason {
  guarantee: SessionGuarantee;
  first: number;
  second: number;
}

interface SessionKeyState {
  lastReadSource: number;
  lastRead: number;
  wrote: boolean;
  lastWrite: number;
  /** Virtual node: every own write so far is ≤ it (read-your-writes). */
  ownWrites: number;
  /** Virtual node: every source of an own read so far is ≤ it (writes follow reads). */
  readSources: number;
}

const INTERNAL = -1;

function buildConstraints(h: RegisterHistory, enabled: ReadonlySet<SessionGuarantee>, anomalies: AnomalyCollector) {
  const edges = new EdgeList();
  const reasons: EdgeReason[] = [];
  let nodes = h.ops.length;
  const because = (guarantee: SessionGuarantee, first: number, second: number): number => {
    reasons.push({ guarantee, first, second });
    return reasons.length - 1;
  };
  // `edges` are [from, to, relation] over node ids: the pattern behind the violation, for the diagram.
  const violation = (
    guarantee: SessionGuarantee,
    ops: number[],
    text: string,
    pattern: [number, number, string][],
  ): void => {
    if (!anomalies.wantsMore) {
      anomalies.count++;
      return;
    }
    const graph = new AnomalyGraphBuilder();
    for (const [a, b, relation] of pattern) graph.edge(h.ops[a]!.id, h.ops[b]!.id, relation);
    anomalies.add(
      anomalyOf(
        guarantee,
        ops.map((o) => h.ops[o]!),
        `${text} (${guaranteeNames[guarantee]})`,
        graph.detail(),
      ),
    );
  };
  for (const session of h.sessions) {
    const state = new Map<number, SessionKeyState>();
    for (const o of session) {
      const x = h.keyOf[o]!;
      let st = state.get(x);
      if (st === undefined) {
        st = { lastReadSource: -1, lastRead: -1, wrote: false, lastWrite: -1, ownWrites: -1, readSources: -1 };
        state.set(x, st);
      }
      if (h.isWrite[o]) {
        if (enabled.has('monotonic-writes') && st.lastWrite >= 0) {
          edges.add(st.lastWrite, o, because('monotonic-writes', st.lastWrite, o));
        }
        if (enabled.has('writes-follow-reads') && st.readSources >= 0) {
          edges.add(st.readSources, o, because('writes-follow-reads', -1, o));
        }
        if (enabled.has('read-your-writes')) {
          const chain = nodes++;
          edges.add(o, chain, because('read-your-writes', o, -1));
          if (st.ownWrites >= 0) edges.add(st.ownWrites, chain, INTERNAL);
          st.ownWrites = chain;
        }
        st.lastWrite = o;
        st.wrote = true;
        continue;
      }
      const src = h.src[o]!;
      const op = h.ops[o]!;
      if (src < 0) {
        if (enabled.has('monotonic-reads') && st.lastReadSource >= 0) {
          violation(
            'monotonic-reads',
            [st.lastRead, o, st.lastReadSource],
            `${describeOp(op)}, the initial value, after the same process ${describeOp(h.ops[st.lastRead]!).replace(/^process \d+ /, '')}, written by process ${h.ops[st.lastReadSource]!.process} (${opAt(h.ops[st.lastReadSource]!)})`,
            [
              [st.lastReadSource, st.lastRead, 'rf'],
              [st.lastRead, o, 'po'],
            ],
          );
        }
        if (enabled.has('read-your-writes') && st.wrote) {
          violation(
            'read-your-writes',
            [st.lastWrite, o],
            `${describeOp(op)}, the initial value, after the same process ${describeOp(h.ops[st.lastWrite]!).replace(/^process \d+ /, '')}`,
            [[st.lastWrite, o, 'po']],
          );
        }
        continue;
      }
      if (enabled.has('writes-follow-reads') && h.session[src] === h.session[o] && h.position[src]! > h.position[o]!) {
        violation(
          'writes-follow-reads',
          [o, src],
          `${describeOp(op)}, a value its own process only wrote later: ${describeOp(h.ops[src]!)}`,
          [
            [o, src, 'po'],
            [src, o, 'rf'],
          ],
        );
      }
      if (enabled.has('monotonic-reads')) {
        if (st.lastReadSource >= 0 && st.lastReadSource !== src) {
          edges.add(st.lastReadSource, src, because('monotonic-reads', st.lastRead, o));
        }
        st.lastReadSource = src;
        st.lastRead = o;
      }
      if (enabled.has('read-your-writes') && st.ownWrites >= 0) {
        edges.add(st.ownWrites, src, because('read-your-writes', -1, o));
      }
      if (enabled.has('writes-follow-reads')) {
        const chain = nodes++;
        edges.add(src, chain, because('writes-follow-reads', o, -1));
        if (st.readSources >= 0) edges.add(st.readSources, chain, INTERNAL);
        st.readSources = chain;
      }
    }
  }
  return { graph: buildDigraph(nodes, edges), reasons };
}

function writeName(op: Operation): string {
  return `the write of ${op.key === undefined ? '' : `${escapeControl(op.key)}=`}${showValue(op.input)} (${opAt(op)})`;
}

const guaranteeAbbreviations: Record<SessionGuarantee, string> = {
  'monotonic-reads': 'MR',
  'monotonic-writes': 'MW',
  'read-your-writes': 'RYW',
  'writes-follow-reads': 'WFR',
};

/**
 * The diagram's edges for one explained step: the write order the guarantee forces, and the program-order and
 * reads-from facts that forced it (reads-from only where the read really returned that write).
 */
function stepEdges(h: RegisterHistory, reason: EdgeReason, from: number, to: number): [number, number, string][] {
  const out: [number, number, string][] = [[from, to, `before (${guaranteeAbbreviations[reason.guarantee]})`]];
  const rf = (w: number, r: number): void => {
    if (r >= 0 && !h.isWrite[r] && h.src[r] === w) out.push([w, r, 'rf']);
  };
  switch (reason.guarantee) {
    case 'monotonic-reads':
      out.push([reason.first, reason.second, 'po']);
      rf(from, reason.first);
      rf(to, reason.second);
      break;
    case 'monotonic-writes':
      out.push([from, to, 'po']);
      break;
    case 'read-your-writes':
      out.push([from, reason.second, 'po']);
      rf(to, reason.second);
      break;
    case 'writes-follow-reads':
      rf(from, reason.first);
      out.push([reason.first, to, 'po']);
      break;
  }
  return out.filter(([a, b]) => a >= 0 && b >= 0);
}

function explainEdge(
  h: RegisterHistory,
  reason: EdgeReason,
  from: number,
  to: number,
): { text: string; ops: number[] } {
  const order = `so ${writeName(h.ops[from]!)} must come before ${writeName(h.ops[to]!)}`;
  const later = (o: number): string => describeOp(h.ops[o]!).replace(/^process \d+ /, '');
  switch (reason.guarantee) {
    case 'monotonic-reads':
      return {
        text: `${describeOp(h.ops[reason.first]!)} and later ${later(reason.second)}, ${order}`,
        ops: [reason.first, reason.second],
      };
    case 'monotonic-writes':
      return { text: `${describeOp(h.ops[from]!)} and later ${later(to)}, ${order}`, ops: [from, to] };
    case 'read-your-writes':
      return {
        text: `${describeOp(h.ops[from]!)} and later ${later(reason.second)}, ${order}`,
        ops: [from, reason.second],
      };
    case 'writes-follow-reads':
      return { text: `${describeOp(h.ops[reason.first]!)} and later ${later(to)}, ${order}`, ops: [reason.first, to] };
  }
}

/** Turns a cycle (through virtual nodes) into one explained step per pair of consecutive real writes. */
function explainCycle(h: RegisterHistory, cycle: readonly CycleStep[], reasons: readonly EdgeReason[]) {
  const n = h.ops.length;
  const startAt = cycle.findIndex((s) => s.node < n);
  const steps = [...cycle.slice(startAt), ...cycle.slice(0, startAt)];
  const texts: string[] = [];
  const ops: number[] = [];
  const graph = new AnomalyGraphBuilder();
  const used = new Set<SessionGuarantee>();
  let from = steps[0]!.node;
  let first = -1;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const next = steps[(i + 1) % steps.length]!.node;
    const reason = step.label >= 0 ? reasons[step.label]! : undefined;
    if (reason !== undefined && reason.first >= 0) first = reason.first;
    if (next >= n) continue;
    if (reason === undefined) continue;
    const merged: EdgeReason = {
      guarantee: reason.guarantee,
      first: reason.first >= 0 ? reason.first : first,
      second: reason.second,
    };
    const explained = explainEdge(h, merged, from, next);
    texts.push(explained.text);
    ops.push(...explained.ops);
    for (const [a, b, relation] of stepEdges(h, merged, from, next)) graph.edge(h.ops[a]!.id, h.ops[b]!.id, relation);
    used.add(reason.guarantee);
    from = next;
    first = -1;
  }
  return { text: summariseSteps(texts), steps: texts, ops: [...new Set(ops)], used, graph };
}

export function checkSessionGuarantees(
  guarantees: readonly SessionGuarantee[],
  operations: readonly Operation[],
  options: SessionCheckOptions = {},
  naming: { checker: string; model: string } = {
    checker: guarantees.length === 1 ? guarantees[0]! : 'session',
    model: guarantees.map((g) => guaranteeNames[g]).join(' + '),
  },
): CheckResult {
  const started = Date.now();
  const base = { ...naming, ops: operations.length, started, budgetMs: options.timeBudgetMs };
  const prepared = prepareRegisterHistory(operations, options);
  if (!prepared.ok) return checkResult({ ...base, valid: 'unknown', reason: prepared.reason });
  const h = prepared.history;
  const anomalies = new AnomalyCollector();
  for (const a of h.readAnomalies) anomalies.add(a);
  const { graph, reasons } = buildConstraints(h, new Set(guarantees), anomalies);
  const component = stronglyConnectedComponents(graph);
  const firstWrite = new Map<number, number>();
  const reported = new Set<number>();
  for (let o = 0; o < h.ops.length; o++) {
    if (!h.isWrite[o]) continue;
    const c = component[o]!;
    const other = firstWrite.get(c);
    if (other === undefined) {
      firstWrite.set(c, o);
      continue;
    }
    if (reported.has(c)) continue;
    reported.add(c);
    if (!anomalies.wantsMore) {
      anomalies.count++;
      continue;
    }
    anomalies.add(cycleAnomaly(h, graph, component, reasons, other));
  }
  return checkResult({
    ...base,
    valid: anomalies.count === 0,
    anomalies,
    extra: { sessions: h.sessions.length, keys: h.keys.length },
  });
}

function cycleAnomaly(
  h: RegisterHistory,
  graph: ReturnType<typeof buildDigraph>,
  component: Int32Array,
  reasons: readonly EdgeReason[],
  a: number,
): Anomaly {
  const n = h.ops.length;
  const inside = (v: number): boolean => component[v] === component[a];
  const there = shortestPath(graph, a, (v) => v < n && v !== a && h.isWrite[v] === 1, inside)!;
  const b = there[there.length - 1]!.node;
  const back = shortestPath(graph, b, (v) => v === a, inside)!;
  const cycle = [...there.slice(0, -1), ...back.slice(0, -1)];
  const { text, steps, ops, used, graph: pattern } = explainCycle(h, cycle, reasons);
  const type = used.size === 1 ? [...used][0]! : 'session-guarantees';
  const names = [...used].map((g) => guaranteeNames[g]).join(', ');
  const key = h.keys[h.keyOf[a]!]!;
  return anomalyOf(
    type,
    ops.map((o) => h.ops[o]!),
    `no order of the writes${key === '' ? '' : ` of ${escapeControl(key)}`} satisfies ${names}: ${text}; these orders form a cycle`,
    { ...pattern.detail(), cycle: steps },
  );
}
