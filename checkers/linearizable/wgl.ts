// Wing & Gong's backtracking search with Lowe's memoisation (checking.md §1.3; Porcupine's checkSingle) over
// ONE partition. Synchronous and pure, so it runs on the main thread, in a worker, or in the browser.
import type { Operation } from '../history.ts';
import { describeModelState, modelOpOf } from '../models/model.ts';
import type { Model, ModelOp } from '../models/model.ts';

export interface SearchBudget {
  /** performance.now() value after which the search gives up; Infinity for none. */
  deadline: number;
  /** Approximate bytes the memo cache and state tables may use. */
  memoryBytes: number;
}

/** One step of a partial linearization: the op placed and the model state after it. */
export interface LinearizationStep {
  op: number;
  state: string;
}

export type PartitionOutcome =
  | { valid: true; stats: SearchStats }
  | {
      valid: false;
      /** Operation.id of the op the search could place least: the blocked return furthest in the history. */
      failedOp: number;
      /** Longest partial linearizations, longest first, with the states along them. */
      longest: LinearizationStep[][];
      /** The model state(s) at the deepest point where the failed op blocked the search. */
      stateSeen: string;
      stats: SearchStats;
    }
  | { valid: 'unknown'; reason: 'time' | 'memory'; stats: SearchStats };

export interface SearchStats {
  ops: number;
  /** Configurations (linearized set, state) memoised. */
  cached: number;
  /** Times the search undid a step. */
  backtracks: number;
}

const noBudget: SearchBudget = { deadline: Infinity, memoryBytes: Infinity };

/** How many longest partial linearizations a violation reports at most. */
const maxLongest = 8;

/** A failing search faster than this is run again to record every op's longest partial linearization. */
const perOpRerunMs = 250;

/**
 * Checks one partition. `ops` must already be filtered (failed ops the model ignores are out) and belong
 * to one partition. Ops with ret = +Infinity are indeterminate: placed anywhere after their call, or never.
 */
export function checkPartition<S>(
  model: Model<S>,
  ops: readonly Operation[],
  budget: SearchBudget = noBudget,
): PartitionOutcome {
  const started = performance.now();
  const first = search(model, ops, budget, false);
  if (first.valid !== false || performance.now() - started > perOpRerunMs) return first;
  // Porcupine-style partial linearizations (the longest one through EACH op) cost O(depth) per backtrack,
  // so only a failing search that was quick pays for them, in a second identical run. The first run
  // already kept the deepest prefixes, which is what a slow failing search reports.
  const detailed = search(model, ops, budget, true);
  return detailed.valid === false ? detailed : first;
}

function search<S>(
  model: Model<S>,
  ops: readonly Operation[],
  budget: SearchBudget,
  record: boolean,
): PartitionOutcome {
  const n = ops.length;
  const stats: SearchStats = { ops: n, cached: 0, backtracks: 0 };
  if (n === 0) return { valid: true, stats };

  // --- model states, interned: state id -> state; a configuration state is a SET of model states (for
  // non-deterministic models), interned too. Deterministic models only ever make singleton sets.
  const keyOf = model.key !== undefined ? model.key.bind(model) : (s: S) => JSON.stringify(s);
  const stateIds = new Map<string | number, number>();
  const states: S[] = [];
  const internState = (s: S): number => {
    const k = keyOf(s);
    let id = stateIds.get(k);
    if (id === undefined) {
      id = states.length;
      stateIds.set(k, id);
      states.push(s);
    }
    return id;
  };
  const setIds = new Map<string, number>();
  const sets: number[][] = [];
  // Deterministic models only make singleton sets: those are found by state id, without a string key.
  const singleton: number[] = [];
  const internSet = (members: number[]): number => {
    if (members.length === 1) {
      const sid = members[0]!;
      let id = singleton[sid];
      if (id === undefined) {
        id = sets.length;
        singleton[sid] = id;
        sets.push(members);
      }
      return id;
    }
    const k = members.sort((a, b) => a - b).join(',');
    let id = setIds.get(k);
    if (id === undefined) {
      id = sets.length;
      setIds.set(k, id);
      sets.push(members);
    }
    return id;
  };
  const modelOps: ModelOp[] = ops.map(modelOpOf);
  // Ops that change no state in any state (reads): the search may place them eagerly, see below.
  const readOnly = new Uint8Array(n);
  if (model.readOnly !== undefined) for (let i = 0; i < n; i++) readOnly[i] = model.readOnly(ops[i]!) ? 1 : 0;
  // (set, op) -> next set, or -1 when illegal: the search re-steps the same pairs many times. One map per
  // op keyed by set id keeps the keys small integers, which V8's maps handle fastest.
  const transitions = new Array<Map<number, number> | undefined>(n);
  let transitionCount = 0;
  const stepSet = (setId: number, i: number): number => {
    let memo = transitions[i];
    if (memo === undefined) transitions[i] = memo = new Map();
    const known = memo.get(setId);
    if (known !== undefined) return known;
    const op = modelOps[i]!;
    const members = sets[setId]!;
    let result: number;
    const first = members.length === 1 ? model.step(states[members[0]!]!, op) : undefined;
    if (first !== undefined && first.length <= 1) {
      result = first.length === 0 ? -1 : internSet([internState(first[0]!)]);
    } else {
      const out = new Set<number>();
      for (const sid of members) for (const next of model.step(states[sid]!, op)) out.add(internState(next));
      result = out.size === 0 ? -1 : internSet([...out]);
    }
    memo.set(setId, result);
    transitionCount++;
    return result;
  };

  // --- entries: 2i = call of op i, 2i+1 = its return; a doubly-linked list in time order, head = 2n.
  const head = 2 * n;
  const order: number[] = new Array<number>(2 * n);
  for (let i = 0; i < 2 * n; i++) order[i] = i;
  const timeOf = (e: number): number => {
    const op = ops[e >> 1]!;
    return e & 1 ? op.ret : op.call;
  };
  // Closed intervals: at equal times calls come before returns, so ops sharing a timestamp are concurrent.
  order.sort((a, b) => timeOf(a) - timeOf(b) || (a & 1) - (b & 1) || a - b);
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  let last = head;
  for (const e of order) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }
  const lift = (call: number): void => {
    const ret = call + 1;
    next[prev[call]!] = next[call]!;
    if (next[call]! >= 0) prev[next[call]!] = prev[call]!;
    next[prev[ret]!] = next[ret]!;
    if (next[ret]! >= 0) prev[next[ret]!] = prev[ret]!;
  };
  const unlift = (call: number): void => {
    const ret = call + 1;
    if (next[ret]! >= 0) prev[next[ret]!] = ret;
    next[prev[ret]!] = ret;
    if (next[call]! >= 0) prev[next[call]!] = call;
    next[prev[call]!] = call;
  };

  // --- Lowe's cache of (linearized set, state set), Zobrist-hashed.
  const words = (n + 31) >>> 5;
  const linearized = new Uint32Array(words);
  const zobLo = new Int32Array(n);
  const zobHi = new Int32Array(n);
  let seed = 0x2545f491;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed | 0;
  };
  for (let i = 0; i < n; i++) {
    zobLo[i] = rand();
    zobHi[i] = rand();
  }
  let hashLo = 0;
  let hashHi = 0;
  // Open addressing over flat typed arrays: a typed-array allocation per entry would dominate the search.
  let capacity = 1 << 12;
  let table = new Int32Array(capacity); // entry index + 1; 0 = empty
  let entryCount = 0;
  let entryLo = new Int32Array(capacity >> 1);
  let entryHi = new Int32Array(capacity >> 1);
  let entryState = new Int32Array(capacity >> 1);
  let arena = new Uint32Array((capacity >> 1) * words);
  const entryBytes = words * 4 + 20;
  const grow = (): void => {
    capacity <<= 1;
    table = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let k = 0; k < entryCount; k++) {
      let slot = entryLo[k]! & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = k + 1;
    }
    const size = capacity >> 1;
    const lo = new Int32Array(size);
    lo.set(entryLo);
    entryLo = lo;
    const hi = new Int32Array(size);
    hi.set(entryHi);
    entryHi = hi;
    const st = new Int32Array(size);
    st.set(entryState);
    entryState = st;
    const ar = new Uint32Array(size * words);
    ar.set(arena);
    arena = ar;
  };
  /** Adds (linearized, state) to the cache; false when it was already there. */
  const cacheAdd = (state: number): boolean => {
    const lo = hashLo ^ Math.imul(state + 1, 0x9e3779b1);
    const hi = hashHi ^ Math.imul(state + 1, 0x85ebca6b);
    const mask = capacity - 1;
    let slot = lo & mask;
    for (;;) {
      const k = table[slot]! - 1;
      if (k < 0) break;
      if (entryLo[k] === lo && entryHi[k] === hi && entryState[k] === state) {
        const base = k * words;
        let same = true;
        for (let w = 0; w < words; w++) {
          if (arena[base + w] !== linearized[w]) {
            same = false;
            break;
          }
        }
        if (same) return false;
      }
      slot = (slot + 1) & mask;
    }
    const k = entryCount++;
    table[slot] = k + 1;
    entryLo[k] = lo;
    entryHi[k] = hi;
    entryState[k] = state;
    arena.set(linearized, k * words);
    stats.cached++;
    if (entryCount * 2 >= capacity) grow();
    return true;
  };

  // --- the search
  const initial = internSet([internState(model.init())]);
  let state = initial;
  const stackCall: number[] = [];
  const stackBefore: number[] = [];
  const stackForced: boolean[] = [];
  let furthestBlocked = -1;
  let furthestRet = -Infinity;
  const deepest: Array<Array<[op: number, stateSet: number]>> = [];
  let deepestDepth = 0;
  const longestOf: Array<LinearizationStep[] | undefined> = record ? new Array<LinearizationStep[] | undefined>(n) : [];
  let stateSeen = initial;
  let stateSeenDepth = -1;
  let iterations = 0;
  let e = next[head]!;
  while (e >= 0) {
    if ((++iterations & 4095) === 0) {
      if (performance.now() > budget.deadline) return { valid: 'unknown', reason: 'time', stats };
      const memory = capacity * 4 + (capacity >> 1) * entryBytes + (transitionCount + states.length + sets.length) * 48;
      if (memory > budget.memoryBytes) return { valid: 'unknown', reason: 'memory', stats };
    }
    if ((e & 1) === 0) {
      const i = e >> 1;
      const s2 = stepSet(state, i);
      if (s2 >= 0) {
        linearized[i >>> 5]! |= 1 << (i & 31);
        hashLo ^= zobLo[i]!;
        hashHi ^= zobHi[i]!;
        if (cacheAdd(s2)) {
          stackCall.push(e);
          stackBefore.push(state);
          stackForced.push(s2 === state && readOnly[i] === 1);
          state = s2;
          lift(e);
          e = next[head]!;
          continue;
        }
        linearized[i >>> 5]! &= ~(1 << (i & 31));
        hashLo ^= zobLo[i]!;
        hashHi ^= zobHi[i]!;
      }
      e = next[e]!;
      continue;
    }
    // A return whose call is not linearized yet: this branch is stuck.
    const blocked = ops[e >> 1]!;
    if (blocked.ret === Infinity) return { valid: true, stats }; // only optional (indeterminate) ops remain
    const depth = stackCall.length;
    if (blocked.ret > furthestRet || furthestBlocked < 0) {
      furthestRet = blocked.ret;
      furthestBlocked = e >> 1;
      stateSeenDepth = -1;
    }
    if (furthestBlocked === e >> 1 && depth > stateSeenDepth) {
      stateSeenDepth = depth;
      stateSeen = state;
    }
    if (!record && depth > 0 && (depth > deepestDepth || (depth === deepestDepth && deepest.length < maxLongest))) {
      if (depth > deepestDepth) deepest.length = 0;
      deepestDepth = depth;
      // Op indices and the state sets after them; described only if the search fails.
      deepest.push(stackCall.map((c, j) => [c >> 1, j + 1 < depth ? stackBefore[j + 1]! : state]));
    }
    if (record && depth > 0) {
      let seq: LinearizationStep[] | undefined;
      for (let d = 0; d < depth; d++) {
        const id = stackCall[d]! >> 1;
        const have = longestOf[id];
        if (have === undefined || have.length < depth) {
          seq ??= stackCall.map((c, j) => ({
            op: ops[c >> 1]!.id,
            state: describeSet(model, states, sets[j + 1 < depth ? stackBefore[j + 1]! : state]!),
          }));
          longestOf[id] = seq;
        }
      }
    }
    // Undo steps. A read-only op that was legal where it was placed loses nothing by being placed that
    // early (moving it forward keeps real-time order and every other op's state): if no completion exists
    // after placing it, none exists without it either, so its alternatives need no trying.
    let c = -1;
    while (stackCall.length > 0) {
      stats.backtracks++;
      c = stackCall.pop()!;
      state = stackBefore.pop()!;
      const forced = stackForced.pop()!;
      const i = c >> 1;
      linearized[i >>> 5]! &= ~(1 << (i & 31));
      hashLo ^= zobLo[i]!;
      hashHi ^= zobHi[i]!;
      unlift(c);
      if (!forced) break;
      c = -1;
    }
    if (c < 0) break;
    e = next[c]!;
  }
  if (e < 0) return { valid: true, stats };

  const distinct = record
    ? [...new Set(longestOf.filter((s) => s !== undefined))].sort((a, b) => b.length - a.length)
    : deepest.map((seq) => seq.map(([i, set]) => ({ op: ops[i]!.id, state: describeSet(model, states, sets[set]!) })));
  return {
    valid: false,
    failedOp: ops[furthestBlocked]!.id,
    longest: distinct.slice(0, maxLongest),
    stateSeen: describeSet(model, states, sets[stateSeen]!),
    stats,
  };
}

function describeSet<S>(model: Model<S>, states: readonly S[], members: readonly number[]): string {
  const described = members.map((sid) => describeModelState(model, states[sid]!));
  return described.length === 1 ? described[0]! : `one of {${described.join(' | ')}}`;
}
