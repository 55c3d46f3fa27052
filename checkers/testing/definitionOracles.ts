// Brute-force checks straight from the definitions (checking.md §2.1, §3.2, §4.1), exponential and only for
// histories of about 8 ops: the oracles the fast checkers are differentially tested against. Indeterminate
// writes are tried both ways (happened or not); failed writes never happened.
import type { SmallHistory, SmallOp } from './smallHistories.ts';
import { permutations } from './permutations.ts';

interface FlatOp extends SmallOp {
  session: number;
  position: number;
}

/** Every way to keep or drop the indeterminate writes, with failed writes removed. */
function resolutions(h: SmallHistory): FlatOp[][] {
  const info: [number, number][] = [];
  h.forEach((s, i) => {
    s.forEach((o, j) => o.status === 'info' && info.push([i, j]));
  });
  const out: FlatOp[][] = [];
  for (let mask = 0; mask < 1 << info.length; mask++) {
    const dropped = new Set(info.filter((_, b) => !(mask & (1 << b))).map(([i, j]) => `${i}/${j}`));
    const ops: FlatOp[] = [];
    h.forEach((s, i) => {
      let position = 0;
      s.forEach((o, j) => {
        if (o.status === 'fail' || dropped.has(`${i}/${j}`)) return;
        ops.push({ ...o, session: i, position: position++ });
      });
    });
    out.push(ops);
  }
  return out;
}

/** Some total order of all ops keeping program order in which every read returns the latest write. */
export function sequentialByDefinition(h: SmallHistory): boolean {
  return resolutions(h).some((ops) => {
    const sessions = [...new Set(ops.map((o) => o.session))].map((s) => ops.filter((o) => o.session === s));
    const frontier = sessions.map(() => 0);
    const memory = new Map<string, number>();
    // Memoised on the whole state (frontier and memory), which decides everything that can follow.
    const failed = new Set<string>();
    const search = (placed: number): boolean => {
      if (placed === ops.length) return true;
      const state = `${frontier.join(',')}|${[...memory].sort().join(';')}`;
      if (failed.has(state)) return false;
      for (let s = 0; s < sessions.length; s++) {
        const o = sessions[s]![frontier[s]!];
        if (o === undefined) continue;
        const before = memory.get(o.key);
        if (o.kind === 'r' && (before ?? 0) !== o.value) continue;
        if (o.kind === 'w') memory.set(o.key, o.value);
        frontier[s]!++;
        const ok = search(placed + 1);
        frontier[s]!--;
        if (before === undefined) memory.delete(o.key);
        else memory.set(o.key, before);
        if (ok) return true;
      }
      failed.add(state);
      return false;
    };
    return search(0);
  });
}

interface CausalSetting {
  ops: FlatOp[];
  /** co[a][b]: a is in b's causal past. */
  co: boolean[][];
}

function causalSetting(ops: FlatOp[]): CausalSetting | null {
  const n = ops.length;
  const co = ops.map(() => ops.map(() => false));
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const A = ops[a]!;
      const B = ops[b]!;
      if (A.session === B.session && A.position < B.position) co[a]![b] = true;
      if (A.kind === 'w' && B.kind === 'r' && A.key === B.key && A.value === B.value) co[a]![b] = true;
    }
  }
  for (let m = 0; m < n; m++)
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (co[a]![m] && co[m]![b]) co[a]![b] = true;
  for (let a = 0; a < n; a++) if (co[a]![a]) return null;
  for (const r of ops) {
    if (r.kind === 'r' && r.value !== 0 && !ops.some((w) => w.kind === 'w' && w.key === r.key && w.value === r.value))
      return null;
  }
  return { ops, co };
}

/** Calls visit on every linear extension of co restricted to `members`; stops when visit returns true. */
function someLinearExtension(co: boolean[][], members: number[], visit: (order: number[]) => boolean): boolean {
  const order: number[] = [];
  const used = new Set<number>();
  const go = (): boolean => {
    if (order.length === members.length) return visit(order);
    for (const m of members) {
      if (used.has(m) || members.some((p) => !used.has(p) && p !== m && co[p]![m])) continue;
      used.add(m);
      order.push(m);
      if (go()) return true;
      order.pop();
      used.delete(m);
    }
    return false;
  };
  return go();
}

/** Whether op at index `at` of `order` reads the latest write of its key among order[0..at). */
function legalAt(ops: FlatOp[], order: readonly number[], at: number): boolean {
  const o = ops[order[at]!]!;
  if (o.kind === 'w') return true;
  let value = 0;
  for (let i = 0; i < at; i++) {
    const p = ops[order[i]!]!;
    if (p.kind === 'w' && p.key === o.key) value = p.value;
  }
  return value === o.value;
}

function past(s: CausalSetting, o: number): number[] {
  return s.ops.map((_, i) => i).filter((i) => s.co[i]![o]);
}

export type CausalVariant = 'CC' | 'CCv' | 'CM';

export function causalByDefinition(h: SmallHistory, variant: CausalVariant): boolean {
  return resolutions(h).some((ops) => {
    const s = causalSetting(ops);
    if (s === null) return false;
    const all = ops.map((_, i) => i);
    if (variant === 'CC') {
      return all.every((o) =>
        someLinearExtension(s.co, past(s, o), (order) => legalAt(ops, [...order, o], order.length)),
      );
    }
    if (variant === 'CCv') {
      return someLinearExtension(s.co, all, (arb) =>
        all.every((o) => {
          const seq = [...arb.filter((i) => s.co[i]![o]), o];
          return legalAt(ops, seq, seq.length - 1);
        }),
      );
    }
    return all.every((o) =>
      someLinearExtension(s.co, [...past(s, o), o], (order) =>
        order.every((p, at) => {
          const P = ops[p]!;
          const mine = P.session === ops[o]!.session && P.position <= ops[o]!.position;
          return !mine || legalAt(ops, order, at);
        }),
      ),
    );
  });
}

export type Guarantee = 'MR' | 'MW' | 'RYW' | 'WFR';

function orders<T>(items: readonly T[]): T[][] {
  return [...permutations(items.length)].map((order) => order.map((i) => items[i]!));
}

/**
 * Per key: some write order `ar` and, for each read, a visible set containing the write it read, with that
 * write ar-last among the visible ones (or nothing visible for an initial-value read), such that MR: a later
 * read sees what an earlier one saw; RYW: a read sees its process's earlier writes; MW: a process's writes
 * keep their order in ar; WFR: what a read saw is ar-before its process's later writes. The smallest visible
 * sets are always the best choice, so only write orders are enumerated.
 */
export function sessionByDefinition(h: SmallHistory, guarantees: readonly Guarantee[]): boolean {
  const g = new Set(guarantees);
  return resolutions(h).some((ops) => {
    for (const r of ops) {
      if (r.kind === 'r' && r.value !== 0 && !ops.some((w) => w.kind === 'w' && w.key === r.key && w.value === r.value))
        return false;
    }
    const keys = [...new Set(ops.map((o) => o.key))];
    return keys.every((key) => {
      const mine = ops.filter((o) => o.key === key);
      const writes = mine.filter((o) => o.kind === 'w').map((o) => o.value);
      return orders(writes).some((ar) => {
        const rank = new Map(ar.map((v, i) => [v, i]));
        const sessions = [...new Set(mine.map((o) => o.session))];
        return sessions.every((s) => {
          let seenByReads = new Set<number>();
          const ownWrites: number[] = [];
          for (const o of mine.filter((p) => p.session === s)) {
            if (o.kind === 'w') {
              if (g.has('MW') && ownWrites.some((w) => rank.get(w)! >= rank.get(o.value)!)) return false;
              if (g.has('WFR') && [...seenByReads].some((v) => rank.get(v)! >= rank.get(o.value)!)) return false;
              ownWrites.push(o.value);
              continue;
            }
            const vis = new Set<number>(o.value === 0 ? [] : [o.value]);
            if (g.has('MR')) for (const v of seenByReads) vis.add(v);
            if (g.has('RYW')) for (const v of ownWrites) vis.add(v);
            if (o.value === 0 ? vis.size > 0 : [...vis].some((v) => rank.get(v)! > rank.get(o.value)!)) return false;
            // WFR orders later writes after everything this read saw; MR carries it to later reads.
            seenByReads = g.has('MR') || g.has('WFR') ? new Set([...seenByReads, ...vis]) : vis;
          }
          return true;
        });
      });
    });
  });
}
