// Read committed, read atomic and causal consistency as Biswas & Enea define them (OOPSLA 2019; Plume's TAPs
// are their counterexamples): some commit order co ⊇ so ∪ wr ∪ ww must put, for every read of x in t3 from
// t1, every other writer t2 of x before t1 when
//   read committed: t3 observed t2 in an earlier read;   read atomic: t2 so→ t3 or t3 observed t2;
//   causal: t2 (so ∪ wr)+ t3.
// The premises do not depend on co, so one pass finds the forced edges (saturation) and the level holds iff
// the result is acyclic. In list-append a missed write is after the version read, so a forced edge to it
// is a contradiction at once; in rw-register the forced edges join the graph and a cycle search decides.
import { EdgeList, PROCESS, RW, WR, WW, adjacency, stronglyConnected } from './dependencyGraph.ts';
import { committedByInvoke, type Inference, type TxnAnomaly } from './inference.ts';
import { showTxn, type Txn } from './transactions.ts';

export const weakLevelAnomaly = {
  'read-committed': 'non-monotonic-read',
  'read-atomic': 'fractured-read',
  causal: 'causality-violation',
} as const;
type WeakLevel = keyof typeof weakLevelAnomaly;
/** Why a reader had to see a missed write: the premise of the level's axiom that held. */
const Premise = { EarlierRead: 0, Session: 1, OtherRead: 2, Causal: 3 } as const;
type Premise = (typeof Premise)[keyof typeof Premise];
const weakOrder: WeakLevel[] = ['read-committed', 'read-atomic', 'causal'];

export interface WeakLevelsResult {
  anomalies: TxnAnomaly[];
  /** Why causality was not checked (too many sessions for vector clocks), when it was not. */
  causalSkipped?: string;
}

/** Vector clocks of (so ∪ wr)+ cost n × sessions integers: above this, causal is left unknown. */
const maxClockEntries = 200_000_000;
/** At most this many anomalies of each type are spelled out; the verdict needs one. */
const maxReported = 50;

/**
 * `component`, when given, maps each txn to its strongly connected component of ww ∪ wr ∪ rw ∪ process (-1
 * for none). In list-append every violation here is also such a cycle (t2 reaches t3, and t3's read that
 * missed t2's append is an rw path back), so only pairs inside one component need their premises checked.
 */
export function checkWeakLevels(
  txns: readonly Txn[],
  inference: Inference,
  base: EdgeList,
  component?: Int32Array,
): WeakLevelsResult {
  const n = txns.length;
  if (component !== undefined && !component.some((c) => c !== -1)) return { anomalies: [] };
  const anomalies: TxnAnomaly[] = [];
  const reported = new Map<string, number>();
  const report = (a: TxnAnomaly) => {
    const c = reported.get(a.type) ?? 0;
    reported.set(a.type, c + 1);
    if (c < maxReported) anomalies.push(a);
  };

  // Sessions: committed txns of each process in invoke order, 1-based positions.
  const sessions = new Map<number, number>();
  const position = new Int32Array(n);
  const sessionOf = new Int32Array(n).fill(-1);
  const lastInSession: number[] = [];
  const soPred = new Int32Array(n).fill(-1);
  for (const t of committedByInvoke(txns)) {
    let s = sessions.get(t.process);
    if (s === undefined) {
      sessions.set(t.process, (s = sessions.size));
      lastInSession.push(-1);
    }
    const prev = lastInSession[s]!;
    position[t.index] = prev === -1 ? 1 : position[prev]! + 1;
    sessionOf[t.index] = s;
    soPred[t.index] = prev;
    lastInSession[s] = t.index;
  }
  const sessionBefore = (a: number, b: number) =>
    sessionOf[a] !== -1 && sessionOf[a] === sessionOf[b] && position[a]! < position[b]!;

  // hb = (so ∪ wr)+ as vector clocks over sessions, in a topological order of the visibility DAG.
  const p = sessions.size;
  let clocks: Int32Array | null = null;
  let causalSkipped: string | undefined;
  if (n * p > maxClockEntries)
    causalSkipped = `${n} transactions × ${p} sessions is more vector-clock state than this checker allows (${maxClockEntries} entries)`;
  else {
    const vis = new EdgeList();
    const { extraNodes } = inference.visibility((a, b) => {
      vis.add(a, b, WR);
    });
    for (let t = 0; t < n; t++) if (soPred[t] !== -1) vis.add(soPred[t]!, t, PROCESS);
    const total = n + extraNodes;
    const g = adjacency(total, vis);
    const indegree = new Int32Array(total);
    for (let i = 0; i < vis.size; i++) indegree[vis.to[i]!]!++;
    const c = new Int32Array(total * p);
    const ready: number[] = [];
    for (let v = 0; v < total; v++) if (indegree[v] === 0) ready.push(v);
    let done = 0;
    while (ready.length > 0) {
      const v = ready.pop()!;
      done++;
      if (v < n && sessionOf[v] !== -1) c[v * p + sessionOf[v]!] = position[v]!;
      for (let i = g.start[v]!; i < g.start[v + 1]!; i++) {
        const w = vis.to[i]!;
        for (let s = 0; s < p; s++) if (c[v * p + s]! > c[w * p + s]!) c[w * p + s] = c[v * p + s]!;
        indegree[w] = indegree[w]! - 1;
        if (indegree[w] === 0) ready.push(w);
      }
    }
    // A cycle in so ∪ wr is G1c-process, reported by the cycle search; causality has no order then.
    if (done === total) clocks = c;
    else causalSkipped = 'so ∪ wr has a cycle (reported as G1c or G1c-process), so there is no causal order';
  }
  const happensBefore = (a: number, b: number) =>
    clocks !== null && sessionOf[a] !== -1 && clocks[b * p + sessionOf[a]!]! >= position[a]!;

  // Forced commit-order edges per level (rw-register); a list-append contradiction is reported directly.
  const forced: Record<WeakLevel, EdgeList> = {
    'read-committed': new EdgeList(),
    'read-atomic': new EdgeList(),
    causal: new EdgeList(),
  };
  // Why each forced edge t2 → from exists, kept as numbers (the reader, the premise, the key) and put in words
  // only for the edges of a cycle reported: a few thousand rw-register txns force millions of edges.
  const premiseText = (premise: Premise, t2: number, reader: number): string =>
    premise === Premise.EarlierRead
      ? `an earlier read of T${reader} observed T${t2}'s write`
      : premise === Premise.Session
        ? `T${t2} is earlier in T${reader}'s session`
        : premise === Premise.OtherRead
          ? `another read of T${reader} observed T${t2}'s write`
          : `T${t2} causally precedes T${reader} (session order and reads)`;
  // Every forced edge is in the causal list, in the order forced: its reader and premise sit beside it.
  const forcedReader: number[] = [];
  const forcedPremise: Premise[] = [];
  inference.forEachRead((r) => {
    const t3 = txns[r.txn]!;
    if (component !== undefined && component[r.txn] === -1) return;
    for (const t2 of r.missed) {
      if (component !== undefined && component[t2] !== component[r.txn]) continue;
      let level: WeakLevel;
      let premise: Premise;
      if (inference.saw(r.txn, t2, r.micro)) {
        level = 'read-committed';
        premise = Premise.EarlierRead;
      } else if (sessionBefore(t2, r.txn)) {
        level = 'read-atomic';
        premise = Premise.Session;
      } else if (inference.saw(r.txn, t2, Infinity)) {
        level = 'read-atomic';
        premise = Premise.OtherRead;
      } else if (happensBefore(t2, r.txn)) {
        level = 'causal';
        premise = Premise.Causal;
      } else continue;
      if (r.missedAreLater || r.from === -1) {
        const from = r.from === -1 ? 'the initial state' : `T${r.from}'s write`;
        report({
          type: weakLevelAnomaly[level],
          txns: [r.txn, t2, ...(r.from === -1 ? [] : [r.from])],
          key: r.key,
          micro: r.micro,
          explanation: `${showTxn(t3)} read ${r.key} without ${showTxn(txns[t2]!)}'s write to it (it read ${from}), although ${premiseText(premise, t2, r.txn)}: ${level === 'causal' ? 'causality' : level.replace('-', ' ')} requires that write to be visible.`,
        });
        continue;
      }
      for (const l of weakOrder.slice(weakOrder.indexOf(level))) forced[l].add(t2, r.from, WW, forced[l].keyId(r.key));
      forcedReader[forced.causal.size - 1] = r.txn;
      forcedPremise[forced.causal.size - 1] = premise;
    }
  });
  // The last reason forced a → b, as the map of reasons this replaced had it (found for a cycle's edges only).
  const forcedBecause = (a: number, b: number): string | undefined => {
    const c = forced.causal;
    for (let i = c.size - 1; i >= 0; i--)
      if (c.from[i] === a && c.to[i] === b)
        return `T${a} must commit before T${b}: both wrote ${c.keys[c.key[i]!]}, T${forcedReader[i]} read T${b}'s value and ${premiseText(forcedPremise[i]!, a, forcedReader[i]!)}`;
    return undefined;
  };

  // rw-register: so ∪ wr ∪ ww ∪ forced must be acyclic, per level; one cycle per level is enough.
  for (const level of weakOrder) {
    const extra = forced[level];
    if (extra.size === 0) continue;
    const all = new EdgeList();
    for (let i = 0; i < base.size; i++) {
      const k = base.kind[i]!;
      if (k === WW || k === WR || k === PROCESS) all.add(base.from[i]!, base.to[i]!, k, base.key[i]);
    }
    for (let i = 0; i < extra.size; i++) all.add(extra.from[i]!, extra.to[i]!, RW, -2);
    const g = adjacency(n, all);
    const scc = stronglyConnected(g, WW | WR | PROCESS | RW)[0];
    if (scc === undefined) continue;
    const cycle = cycleIn(g, scc);
    const steps = cycle.map((id) => {
      const a = all.from[id]!;
      const b = all.to[id]!;
      const k = all.kind[id]!;
      if (k === RW) return forcedBecause(a, b) ?? `T${a} must commit before T${b}`;
      if (k === PROCESS) return `T${b} follows T${a} in its session`;
      if (k === WR) return `T${b} read T${a}'s write`;
      return `T${a} wrote an earlier version than T${b}`;
    });
    report({
      type: weakLevelAnomaly[level],
      txns: cycle.map((id) => all.from[id]!),
      explanation: `No commit order satisfies ${level.replace('-', ' ')}: ${steps.join('; ')}; a cycle. ${cycle.map((id) => showTxn(txns[all.from[id]!]!)).join('; ')}.`,
    });
    break;
  }
  return { anomalies, ...(causalSkipped !== undefined && { causalSkipped }) };
}

/** One cycle inside a strongly connected component (BFS from a member back to itself). */
function cycleIn(g: ReturnType<typeof adjacency>, members: Int32Array): number[] {
  const inside = new Set(members);
  const root = members[0]!;
  const via = new Map<number, number>();
  const queue = [root];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (let i = g.start[v]!; i < g.start[v + 1]!; i++) {
      const id = i;
      const w = g.edges.to[id]!;
      if (!inside.has(w)) continue;
      if (w === root) {
        const path = [id];
        for (let u = v; u !== root; u = g.edges.from[via.get(u)!]!) path.push(via.get(u)!);
        return path.reverse();
      }
      if (!via.has(w)) {
        via.set(w, id);
        queue.push(w);
      }
    }
  }
  return [];
}
