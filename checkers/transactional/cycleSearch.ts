// Cycle search inside each strongly connected component of the dependency graph, as Elle does it: for each
// anomaly type (weakest first) a breadth-first search restricted to the allowed edge kinds, with a small
// automaton for "no rw", "exactly one rw", "rw edges never adjacent" and "at least two rw". A step budget per
// component; when it runs out the component still yields one cycle found without restrictions, classified by
// its edges, and what was not searched is reported as not searched.
import { DATA, PROCESS, REALTIME, RW, WR, WW, stronglyConnected, type Adjacency } from './dependencyGraph.ts';
import { ruledOutBy, type IsolationLevel } from './isolationLevels.ts';

export type CycleType = 'G0' | 'G1c' | 'G-single' | 'G-nonadjacent' | 'G2-item';
type Variant = '' | '-process' | '-realtime';

export interface FoundCycle {
  /** e.g. G-single-realtime. */
  type: string;
  /** Edge ids in order; edge i ends where edge i+1 starts, the last ends where the first starts. */
  edges: number[];
}

export interface SccResult {
  cycles: FoundCycle[];
  /** Anomaly types whose search ran out of budget before it finished (and were not otherwise proven). */
  unsearched: string[];
}

const cycleTypes: CycleType[] = ['G0', 'G1c', 'G-single', 'G-nonadjacent', 'G2-item'];
const variants: { suffix: Variant; mask: number; must: number }[] = [
  { suffix: '', mask: DATA, must: 0 },
  { suffix: '-process', mask: DATA | PROCESS, must: PROCESS },
  { suffix: '-realtime', mask: DATA | PROCESS | REALTIME, must: REALTIME },
];

/** The anomaly type of a cycle, from its edge kinds alone. */
export function classifyCycle(g: Adjacency, edges: readonly number[]): string {
  const kinds = edges.map((e) => g.edges.kind[e]!);
  const rw = kinds.filter((k) => k === RW).length;
  let base: CycleType;
  if (rw === 0) base = kinds.includes(WR) ? 'G1c' : 'G0';
  else if (rw === 1) base = 'G-single';
  else base = kinds.some((k, i) => k === RW && kinds[(i + 1) % kinds.length] === RW) ? 'G2-item' : 'G-nonadjacent';
  const suffix = kinds.includes(REALTIME) ? '-realtime' : kinds.includes(PROCESS) ? '-process' : '';
  return base + suffix;
}

export interface SearchBudget {
  /** Edge visits allowed per component. */
  steps: number;
}

/**
 * Searches one component. `ruledOut` is the set of levels already known to be violated; a search whose
 * anomaly could rule out nothing new is skipped (a G0 cycle makes a G2-item search pointless).
 */
export function searchComponent(
  g: Adjacency,
  members: Int32Array,
  ruledOut: Set<IsolationLevel>,
  budget: SearchBudget,
): SccResult {
  const local = new Map<number, number>();
  members.forEach((v, i) => local.set(v, i));
  const s = members.length;
  const result: SccResult = { cycles: [], unsearched: [] };
  let steps = budget.steps;
  let exhausted = false as boolean;
  // BFS state: local node × 16 automaton bits: bit0 last edge was rw, bits1-2 rw count (0,1,2+), bit3 used variant.
  const seen = new Int32Array(s * 16);
  const parentState = new Int32Array(s * 16);
  const parentEdge = new Int32Array(s * 16);
  let stamp = 0;

  const news = (type: string) => [...ruledOutBy(type)].some((l) => !ruledOut.has(l));
  const prove = (type: string, edges: number[]) => {
    result.cycles.push({ type, edges });
    for (const l of ruledOutBy(type)) ruledOut.add(l);
  };

  /** A path from `from` back to `target` after the start edge, obeying the type's automaton. */
  const bfs = (type: CycleType, mask: number, must: number, startEdge: number): number[] | null => {
    const { start, edges } = g;
    const head = edges.to[startEdge]!;
    const target = edges.from[startEdge]!;
    const k0 = edges.kind[startEdge]!;
    const init = (k0 === RW ? 1 | 2 : 0) | ((k0 & must) !== 0 ? 8 : 0);
    stamp++;
    const queue: number[] = [];
    const st0 = local.get(head)! * 16 + init;
    seen[st0] = stamp;
    parentEdge[st0] = -1;
    queue.push(st0);
    for (let q = 0; q < queue.length; q++) {
      const st = queue[q]!;
      const v = members[st >> 4]!;
      const bits = st & 15;
      for (let i = start[v]!; i < start[v + 1]!; i++) {
        if (--steps < 0) {
          exhausted = true;
          return null;
        }
        const id = i;
        const k = edges.kind[id]!;
        if ((k & mask) === 0) continue;
        const w = edges.to[id]!;
        const lw = local.get(w);
        if (lw === undefined) continue;
        const isRw = k === RW;
        const count = (bits >> 1) & 3;
        if (isRw) {
          if (type === 'G0' || type === 'G1c' || type === 'G-single') continue;
          if (type === 'G-nonadjacent' && (bits & 1) === 1) continue;
        } else if (type === 'G0' && k === WR) continue;
        const nextCount = isRw ? Math.min(2, count + 1) : count;
        const nb = (isRw ? 1 : 0) | (nextCount << 1) | (bits & 8) | ((k & must) !== 0 ? 8 : 0);
        if (w === target) {
          const ok =
            (must === 0 || (nb & 8) !== 0) &&
            (type === 'G-nonadjacent' || type === 'G2-item' ? nextCount === 2 : true) &&
            !(type === 'G-nonadjacent' && isRw) &&
            !(type === 'G1c' && k0 !== WR);
          if (ok) {
            const path = [id];
            for (let p = st; parentEdge[p] !== -1; p = parentState[p]!) path.push(parentEdge[p]!);
            path.push(startEdge);
            return path.reverse();
          }
          continue;
        }
        const ns = lw * 16 + nb;
        if (seen[ns] === stamp) continue;
        seen[ns] = stamp;
        parentState[ns] = st;
        parentEdge[ns] = id;
        queue.push(ns);
      }
    }
    return null;
  };

  const startKind: Record<CycleType, number> = { G0: WW, G1c: WR, 'G-single': RW, 'G-nonadjacent': RW, 'G2-item': RW };
  for (const { suffix, mask, must } of variants) {
    const subs = stronglyConnected(g, mask, members);
    for (const type of cycleTypes) {
      const name = type + suffix;
      if (!news(name)) continue;
      if (exhausted) {
        result.unsearched.push(name);
        continue;
      }
      let found: number[] | null = null;
      for (const sub of subs) {
        const inSub = new Set(sub);
        for (const v of sub) {
          for (let i = g.start[v]!; i < g.start[v + 1]! && found === null && !exhausted; i++) {
            const id = i;
            if (g.edges.kind[id] !== startKind[type] || !inSub.has(g.edges.to[id]!)) continue;
            found = bfs(type, mask, must, id);
          }
          if (found !== null || exhausted) break;
        }
        if (found !== null || exhausted) break;
      }
      if (found !== null) prove(classifyCycle(g, found), found);
      else if (exhausted) result.unsearched.push(name);
    }
  }
  if (exhausted) {
    // Budget gone: one unrestricted cycle (linear BFS) still proves the kind of cycle it is.
    steps = Number.MAX_SAFE_INTEGER;
    const any = anyCycle(g, members, bfs);
    if (any !== null) {
      const type = classifyCycle(g, any);
      if (news(type)) prove(type, any);
    }
    result.unsearched = result.unsearched.filter((t) => news(t));
  }
  return result;
}

function anyCycle(
  g: Adjacency,
  members: Int32Array,
  bfs: (type: CycleType, mask: number, must: number, startEdge: number) => number[] | null,
): number[] | null {
  // Prefer a cycle of data edges only: it rules out more levels than one through process or realtime edges.
  for (const mask of [DATA, DATA | PROCESS, DATA | PROCESS | REALTIME]) {
    const subs = stronglyConnected(g, mask, members);
    const sub = subs[0];
    if (sub === undefined) continue;
    const inSub = new Set(sub);
    for (const v of sub)
      for (let i = g.start[v]!; i < g.start[v + 1]!; i++) {
        const id = i;
        if ((g.edges.kind[id]! & mask) === 0 || !inSub.has(g.edges.to[id]!)) continue;
        const path = bfs('G2-item-any' as CycleType, mask, 0, id);
        if (path !== null) return path;
      }
  }
  return null;
}
