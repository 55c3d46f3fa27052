// One file, over 400 lines: the search is one generator whose closures share typed arrays, interning tables and
// the memo in its scope (the hot loop); split into modules they would pass that state on every step.
// Wing & Gong's backtracking search with Lowe's memoisation (checking.md §1.3; Porcupine's checkSingle) over
// ONE partition. Synchronous and pure, so it runs on the main thread, in a worker, or in the browser.
import type { Operation, Value } from '../history.ts';
import { canonicalKey, describeModelState, modelOpOf } from '../models/model.ts';
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
const perOpRerunMinMs = 20;

/**
 * Checks one partition. `ops` must already be filtered (failed ops the model ignores are out) and belong
 * to one partition. Ops with ret = +Infinity are indeterminate: placed anywhere after their call, or never.
 */
export function checkPartition<S>(
  model: Model<S>,
  ops: readonly Operation[],
  budget: SearchBudget = noBudget,
  /** false: report only the deepest prefixes, as a slow failing search does (no per-op rerun). */
  perOpDetail = true,
): PartitionOutcome {
  return startPartitionSearch(model, ops, perOpDetail).run(budget);
}

/** A partition's search that can be paused at a deadline and resumed where it stopped. */
export interface PartitionSearch {
  /** Searches on until a verdict or the budget's deadline ('unknown', reason 'time': call again to go on). */
  run(budget: SearchBudget): PartitionOutcome;
  /** Approximate bytes the paused search holds. */
  readonly bytes: number;
}

/**
 * Starts a resumable search. The checker time-slices partitions round-robin; resuming instead of starting
 * again keeps a slow partition's slices from repeating its own work (they were up to half of it).
 */
export function startPartitionSearch<S>(
  model: Model<S>,
  ops: readonly Operation[],
  perOpDetail = true,
): PartitionSearch {
  // The search reads its budget through this object, which each run() updates.
  const live: SearchBudget = { deadline: Infinity, memoryBytes: Infinity };
  const first = search(model, ops, live, false);
  let spentMs = 0;
  let bytes = 0;
  let done: PartitionOutcome | undefined;
  return {
    get bytes() {
      return done === undefined ? bytes : 0;
    },
    run(budget) {
      if (done !== undefined) return done;
      live.deadline = budget.deadline;
      live.memoryBytes = budget.memoryBytes;
      const started = performance.now();
      const step = first.next();
      spentMs += performance.now() - started;
      if (!step.done) {
        bytes = step.value.bytes;
        return { valid: 'unknown', reason: 'time', stats: step.value.stats };
      }
      done = step.value;
      if (done.valid !== false || !perOpDetail || spentMs > perOpRerunMs) return done;
      // Porcupine-style partial linearizations (the longest one through EACH op) cost O(depth) per
      // backtrack, so only a failing search that was quick pays for them, in a second identical run. The
      // first run already kept the deepest prefixes, which is what a slow failing search reports.
      // Its own small budget, no more than the search itself took (at least perOpRerunMinMs): it only adds
      // detail, and recording costs O(depth) per backtrack.
      const detailBudget = {
        deadline: Math.min(budget.deadline, performance.now() + Math.max(perOpRerunMinMs, spentMs)),
        memoryBytes: budget.memoryBytes,
      };
      const detailed = search(model, ops, detailBudget, true).next();
      if (detailed.done === true && detailed.value.valid === false) done = detailed.value;
      return done;
    },
  };
}

/** What a search paused at its deadline reports. */
interface Paused {
  stats: SearchStats;
  bytes: number;
}

/** Yields (pauses) whenever it finds budget.deadline passed; the caller may resume it with a later one. */
function* search<S>(
  model: Model<S>,
  given: readonly Operation[],
  budget: SearchBudget,
  record: boolean,
): Generator<Paused, PartitionOutcome, undefined> {
  // Numbered in call order, which the cache's compact bitsets rely on to stay short (not for correctness).
  const inCallOrder = given.every((op, i) => i === 0 || given[i - 1]!.call <= op.call);
  const ops = inCallOrder ? given : [...given].sort((a, b) => a.call - b.call);
  const n = ops.length;
  const stats: SearchStats = { ops: n, cached: 0, backtracks: 0 };
  if (n === 0) return { valid: true, stats };

  // --- model states, interned: state id -> state; a configuration state is a SET of model states (for
  // non-deterministic models), interned too. Deterministic models only ever make singleton sets.
  const keyOf = model.key !== undefined ? model.key.bind(model) : (s: S) => JSON.stringify(s);
  const stateIds = new Map<string | number, number>();
  // Small non-negative integer keys (a model whose states are already interned ids, e.g. kv) are looked up
  // in a flat array: a Map of hundreds of thousands of numbers was a fifth of such a search.
  let smallIds = new Int32Array(1 << 10).fill(-1);
  const states: S[] = [];
  const internState = (s: S): number => {
    const k = keyOf(s);
    if (typeof k === 'number' && k >= 0 && k < 1 << 22 && (k | 0) === k) {
      if (k >= smallIds.length) {
        const wider = new Int32Array(Math.max(smallIds.length * 2, k + 1)).fill(-1);
        wider.set(smallIds);
        smallIds = wider;
      }
      let id = smallIds[k]!;
      if (id < 0) {
        id = states.length;
        smallIds[k] = id;
        states.push(s);
      }
      return id;
    }
    let id = stateIds.get(k);
    if (id === undefined) {
      id = states.length;
      stateIds.set(k, id);
      states.push(s);
    }
    return id;
  };
  const setIds = new Map<string, number>();
  // Set id -> its only state id, or -1 for a set of several (whose members are in `sets`). A singleton
  // keeps no array: one per new state only fed the garbage collector.
  const onlyState: number[] = [];
  const sets: Array<number[] | undefined> = [];
  // Deterministic models only make singleton sets: those are found by state id, without a string key.
  const singleton: number[] = [];
  const internSingleton = (sid: number): number => {
    let id = singleton[sid];
    if (id === undefined) {
      id = onlyState.length;
      singleton[sid] = id;
      onlyState.push(sid);
      sets.push(undefined);
    }
    return id;
  };
  const internSet = (members: number[]): number => {
    if (members.length === 1) return internSingleton(members[0]!);
    const k = members.sort((a, b) => a - b).join(',');
    let id = setIds.get(k);
    if (id === undefined) {
      id = onlyState.length;
      setIds.set(k, id);
      onlyState.push(-1);
      sets.push(members);
    }
    return id;
  };
  const membersOf = (setId: number): number[] => sets[setId] ?? [onlyState[setId]!];
  const modelOps: ModelOp[] = ops.map(modelOpOf);
  // Ops that change no state in any state (reads): the search may place them eagerly, see below.
  const readOnly = new Uint8Array(n);
  if (model.readOnly !== undefined) for (let i = 0; i < n; i++) readOnly[i] = model.readOnly(ops[i]!) ? 1 : 0;
  // (set, op) -> next set, or -1 when illegal: the search re-steps the same pairs many times. Open
  // addressing over one interleaved typed array, (set, op, next, unused) per slot: one cache line a lookup.
  let memoCapacity = 1 << 12;
  let memo = new Int32Array(memoCapacity * 4).fill(-1);
  let transitionCount = 0;
  const memoSlot = (setId: number, i: number): number => {
    const mask = memoCapacity - 1;
    // Mixed down to the low bits: a plain product's low bits depend only on the factors' low bits.
    let h = Math.imul(setId, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    let slot = (h ^ (h >>> 13)) & mask;
    for (;;) {
      const at = memo[slot * 4]!;
      if (at === -1 || (at === setId && memo[slot * 4 + 1] === i)) return slot;
      slot = (slot + 1) & mask;
    }
  };
  const growMemo = (): void => {
    const old = memo;
    memoCapacity <<= 1;
    memo = new Int32Array(memoCapacity * 4).fill(-1);
    for (let k = 0; k < old.length; k += 4) {
      if (old[k] === -1) continue;
      const at = memoSlot(old[k]!, old[k + 1]!) * 4;
      memo[at] = old[k]!;
      memo[at + 1] = old[k + 1]!;
      memo[at + 2] = old[k + 2]!;
    }
  };
  // Worth it only while it hits: on a search that mostly meets new states (a big store, long values) the
  // lookups and inserts cost more than they save, so the memo switches itself off after a trial.
  const memoTrial = 1 << 12;
  let memoMisses = 0;
  let memoHits = 0;
  let memoOn = model.search?.memoiseSteps ?? true;
  const stepSet = (setId: number, i: number): number => {
    let slot = -1;
    if (memoOn) {
      slot = memoSlot(setId, i);
      if (memo[slot * 4] === setId) {
        memoHits++;
        return memo[slot * 4 + 2]!;
      }
      if (++memoMisses === memoTrial && memoHits * 3 < memoMisses + memoHits) {
        memoOn = false;
        memo = new Int32Array(0);
        memoCapacity = 0;
        slot = -1;
      }
    }
    const op = modelOps[i]!;
    const only = onlyState[setId]!;
    let result: number;
    const first = only >= 0 ? model.step(states[only]!, op) : undefined;
    if (first !== undefined && first.length <= 1) {
      result = first.length === 0 ? -1 : internSingleton(internState(first[0]!));
    } else {
      const out = new Set<number>();
      for (const sid of membersOf(setId)) for (const next of model.step(states[sid]!, op)) out.add(internState(next));
      result = out.size === 0 ? -1 : internSet([...out]);
    }
    if (slot >= 0) {
      memo[slot * 4] = setId;
      memo[slot * 4 + 1] = i;
      memo[slot * 4 + 2] = result;
      if (++transitionCount * 2 >= memoCapacity) growMemo();
    }
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

  // --- partial-order reduction over model.commutationClass. Let r be the first return entry not yet
  // lifted and k its op's class. Every completion must place r's op; the first class-k op b it places is a
  // candidate here (b precedes r's op, so b's call precedes r), and b commutes with every op placed before
  // it (other classes, all still pending at r, so real time allows b first). Hence some completion starts
  // with a class-k candidate: trying only those loses no verdict, and which configurations fail does not
  // depend on the path, so Lowe's cache stays sound. Without this, a failure on one class is re-derived for
  // every combination of choices made meanwhile on the others.
  const classOf = new Int32Array(n);
  const reduce = model.commutationClass !== undefined;
  if (reduce) {
    const classIds = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const c = model.commutationClass!(ops[i]!);
      let id = classIds.get(c);
      if (id === undefined) classIds.set(c, (id = classIds.size));
      classOf[i] = id;
    }
  }
  // Twins: ops the step cannot tell apart (equal ModelOps: an info op's output is no part of it). Of two twins
  // a and b whose call and return are both no later than b's, a linearization placing b before a (or b with a
  // never placed, both info) stays one with the two exchanged, so b waits for a: placed twins are always the
  // earliest of their chain. Outside the commutation classes (their backjumping is argued op by op). On the
  // etcd logs, timed-out writes of the same few values otherwise multiply the configurations of a violation.
  const twinBefore = new Int32Array(n).fill(-1);
  if (!reduce) {
    const lastTwin = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const m = modelOps[i]!;
      const output = m.status === 'ok' ? valueKey(m.output) : '';
      const id = `${m.status}\u0000${m.f}\u0000${m.key ?? ''}\u0000${valueKey(m.input)}\u0000${output}`;
      const a = lastTwin.get(id);
      // ops are in call order, so a's call is no later than i's.
      if (a !== undefined && ops[a]!.ret <= ops[i]!.ret) twinBefore[i] = a;
      lastTwin.set(id, i);
    }
  }

  /** The first return entry still in the list, or -1. */
  const firstReturn = (): number => {
    let r = next[head]!;
    while (r >= 0 && (r & 1) === 0) r = next[r]!;
    return r;
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
  // Words below lowWord are all ones, words from highWord on all zeros (kept by place and unplace).
  let lowWord = 0;
  let highWord = 0;
  const place = (i: number): void => {
    linearized[i >>> 5]! |= 1 << (i & 31);
    if ((i >>> 5) + 1 > highWord) highWord = (i >>> 5) + 1;
    hashLo ^= zobLo[i]!;
    hashHi ^= zobHi[i]!;
  };
  /** Whether op i may be placed now: it has no twin before it still unplaced. */
  const twinReady = (i: number): boolean => {
    const a = twinBefore[i]!;
    return a < 0 || (linearized[a >>> 5]! & (1 << (a & 31))) !== 0;
  };
  const unplace = (i: number): void => {
    linearized[i >>> 5]! &= ~(1 << (i & 31));
    if (i >>> 5 < lowWord) lowWord = i >>> 5;
    hashLo ^= zobLo[i]!;
    hashHi ^= zobHi[i]!;
  };
  // Open addressing over flat typed arrays: a typed-array allocation per entry would dominate the search.
  // An entry keeps only the middle of its linearized bitset: ops are numbered in call order, so the words
  // below the first op not yet placed are all ones and the words above the last placed op all zeros. On a
  // long history that middle is a few words where the whole set would be hundreds.
  // The table holds (entry index + 1, low hash) pairs so a probe reads one place; an entry's other fields
  // are interleaved (high hash, state, failure class, first word, arena offset, word count) for the same
  // reason: with millions of entries every separate array is another cache miss.
  let capacity = 1 << 12;
  let table = new Int32Array(capacity * 2); // [entry index + 1 (0 = empty), low hash] per slot
  let entryCount = 0;
  const stride = 6;
  const failAt = 2; // the class a failed configuration failed for (see the backjumping below); -1 unknown
  let entries = new Int32Array((capacity >> 1) * stride);
  let arena = new Uint32Array(capacity);
  let arenaUsed = 0;
  const entryBytes = stride * 4;
  const grow = (): void => {
    capacity <<= 1;
    const old = table;
    table = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s] === 0) continue;
      let slot = old[s + 1]! & mask;
      while (table[slot * 2] !== 0) slot = (slot + 1) & mask;
      table[slot * 2] = old[s]!;
      table[slot * 2 + 1] = old[s + 1]!;
    }
    const wider = new Int32Array((capacity >> 1) * stride);
    wider.set(entries);
    entries = wider;
  };
  /** Adds (linearized, state) to the cache: its entry index, or -1 - index when it was already there. */
  const cacheAdd = (state: number): number => {
    const lo = hashLo ^ Math.imul(state + 1, 0x9e3779b1);
    const hi = hashHi ^ Math.imul(state + 1, 0x85ebca6b);
    // Scanning from word 0 on every add made a long search quadratic: lowWord and highWord bound the scan.
    let from = lowWord;
    while (from < words && linearized[from] === 0xffffffff) from++;
    lowWord = from;
    let to = highWord;
    while (to > from && linearized[to - 1] === 0) to--;
    highWord = to;
    const length = to - from;
    const mask = capacity - 1;
    let slot = lo & mask;
    for (;;) {
      const k = table[slot * 2]! - 1;
      if (k < 0) break;
      const at = k * stride;
      if (
        table[slot * 2 + 1] === lo &&
        entries[at] === hi &&
        entries[at + 1] === state &&
        entries[at + 3] === from &&
        entries[at + 5] === length
      ) {
        const base = entries[at + 4]! - from;
        let same = true;
        for (let w = from; w < to; w++) {
          if (arena[base + w] !== linearized[w]) {
            same = false;
            break;
          }
        }
        if (same) return -1 - k;
      }
      slot = (slot + 1) & mask;
    }
    if (arenaUsed + length > arena.length) {
      const bigger = new Uint32Array(Math.max(arena.length * 2, arenaUsed + length));
      bigger.set(arena);
      arena = bigger;
    }
    for (let w = from; w < to; w++) arena[arenaUsed + w - from] = linearized[w]!; // no subarray view to allocate
    const k = entryCount++;
    table[slot * 2] = k + 1;
    table[slot * 2 + 1] = lo;
    const at = k * stride;
    entries[at] = hi;
    entries[at + 1] = state;
    entries[at + failAt] = -1;
    entries[at + 3] = from;
    entries[at + 4] = arenaUsed;
    entries[at + 5] = length;
    arenaUsed += length;
    stats.cached++;
    if (entryCount * 2 >= capacity) grow();
    return k;
  };

  // --- the search
  const initial = internSet([internState(model.init())]);
  let state = initial;
  const stackCall: number[] = [];
  const stackBefore: number[] = [];
  const stackForced: boolean[] = [];
  const stackBlocked: number[] = [];
  const stackFirstTry: boolean[] = [];
  const stackEntry: number[] = [];
  let furthestBlocked = -1;
  let furthestRet = -Infinity;
  // The deepest dead end's prefix (op index, state set after it), kept without copying the stack at each
  // deeper dead end (that copy made long searches quadratic): the first `deepestSynced` steps of
  // deepestCalls/deepestStates equal the stack's, and a deeper dead end copies only what changed since.
  const deepestCalls: number[] = [];
  const deepestStates: number[] = [];
  let deepestSynced = 0;
  let deepestDepth = 0;
  // Further dead ends at the deepest depth, copied whole while the copies stay small in total.
  const deepestMore: Array<Array<[op: number, stateSet: number]>> = [];
  let moreCopied = 0;
  const maxMoreCopied = 1 << 20;
  const longestOf: Array<LinearizationStep[] | undefined> = record ? new Array<LinearizationStep[] | undefined>(n) : [];
  let stateSeen = initial;
  let stateSeenDepth = -1;
  let iterations = 0;
  // In each configuration the op of the first return (the one that must be placed soonest) is tried first,
  // then the other candidates in list order (Lowe's order). Trying it first places nothing it does not
  // need, so a wrong guess dies at once instead of after a tower of concurrent ops.
  // model.search.order 'list' drops the first try (Porcupine's order), unless the commutation classes are
  // in use: their reduction and backjumping are stated for the first return's class.
  const listOrder = model.search?.order === 'list' && !reduce;
  // The model's guess of the next op replaces the first return's op as the first try (not with the
  // commutation classes, whose reduction is stated for that op). A guess is tried only while it is a
  // candidate: not yet placed, its call before the first return (entries compared by time rank).
  const guess = reduce ? undefined : model.search?.nextOp?.(ops);
  const rank = new Int32Array(guess === undefined ? 0 : 2 * n);
  if (guess !== undefined) order.forEach((e, at) => (rank[e] = at));
  const guessedCall = (r: number): number => {
    const only = onlyState[state]!;
    if (guess === undefined || only < 0) return -1;
    const i = guess.after(states[only]!);
    if (i < 0 || i >= n || (linearized[i >>> 5]! & (1 << (i & 31))) !== 0 || !twinReady(i)) return -1;
    return r < 0 || rank[2 * i]! < rank[r]! ? 2 * i : -1;
  };
  let blockedCall = -1; // call entry of the first return's op in this configuration, -1 when none
  let active = -1; // the commutation class candidates are restricted to, -1 for none
  let firstTry = false; // e is blockedCall, tried before the scan from the head
  // When the first return's op cannot go next (a read of a value the state does not hold, a CAS from
  // another value), the first try is a candidate after which it can: the write it read, the CAS that set
  // what it expects. Otherwise each wrong candidate raises a tower of concurrent ops before dying (the
  // etcd logs' timed-out writes). An order only: the others are still tried.
  const urgentCall = (r: number): number => {
    const call = r - 1;
    if (stepSet(state, call >> 1) >= 0) return call;
    for (let c = next[head]!; c >= 0 && c !== r; c = next[c]!) {
      if (c === call || (c & 1) === 1 || !twinReady(c >> 1)) continue;
      const s1 = stepSet(state, c >> 1);
      if (s1 >= 0 && s1 !== state && stepSet(s1, call >> 1) >= 0) return c;
    }
    return call;
  };
  const enter = (): number => {
    const r = firstReturn();
    blockedCall = guess !== undefined ? guessedCall(r) : r < 0 || listOrder ? -1 : reduce ? r - 1 : urgentCall(r);
    active = reduce && r >= 0 ? classOf[r >> 1]! : -1;
    firstTry = blockedCall >= 0;
    return firstTry ? blockedCall : next[head]!;
  };
  const afterFailedTry = (tried: number): number => {
    if (firstTry) {
      firstTry = false;
      return next[head]!;
    }
    return next[tried]!;
  };
  const searchExhausted = -2;
  // Undoes steps after the configuration on top failed, and returns the entry to try next there.
  // A read-only op that was legal where it was placed loses nothing by being placed that early (moving it
  // forward keeps real-time order and every other op's state): if no completion exists after placing it,
  // none exists without it either, so its alternatives need no trying.
  // Backjumping (model.commutationClass): every failed configuration is failed FOR a class k, meaning its
  // class-k part cannot be completed: the class-k ops placed, the part of the state they own, and the
  // class-k ops still to place under real time (a completion of the whole would complete it). Blocked at
  // a class-k return with every class-k candidate illegal or failed for k, it fails for k: a completion of
  // the class-k part would start with a class-k candidate, as above. A step of another class leaves that
  // part as it was, so the configuration before such a step fails for k too, alternatives untried; and a
  // child (placed or found in the cache) failed for another class j makes this configuration fail for j.
  // Each cache entry keeps its class.
  const backjump = (failClass: number): number => {
    while (stackCall.length > 0) {
      stats.backtracks++;
      const c = stackCall.pop()!;
      state = stackBefore.pop()!;
      if (stackCall.length < deepestSynced) deepestSynced = stackCall.length;
      const forced = stackForced.pop()!;
      blockedCall = stackBlocked.pop()!;
      firstTry = stackFirstTry.pop()!;
      entries[stackEntry.pop()! * stride + failAt] = failClass;
      active = reduce ? classOf[blockedCall >> 1]! : -1;
      const i = c >> 1;
      unplace(i);
      unlift(c);
      if (forced || (reduce && active !== failClass)) continue;
      return afterFailedTry(c);
    }
    return searchExhausted;
  };
  // An optional op (indeterminate: ret Infinity) placed just before i is useless when i, placed without it,
  // would be legal and reach the same states (a write after a timed-out write): the configuration is then
  // dominated by the one without it, with it still to place or never, which is reached by placing i there
  // (i is a candidate there too, since the optional op's return holds nothing up). So it is passed over.
  // Not after a forced op (its configuration tries nothing else, so the one without it would go unsearched),
  // nor with the commutation classes, whose backjumping is argued op by op. A configuration failed here may
  // be recorded failed before the one dominating it is searched; that one is its parent's next candidate,
  // which no cache entry of this subtree can stand for (they all hold the optional op), so the verdict stands.
  const uselessOptional = (i: number, s2: number): boolean => {
    const top = stackCall.length - 1;
    if (reduce || top < 0 || stackForced[top]! || ops[stackCall[top]! >> 1]!.ret !== Infinity) return false;
    return stepSet(stackBefore[top]!, i) === s2;
  };
  let e = enter();
  while (e >= 0) {
    if ((++iterations & 4095) === 0) {
      const memory =
        capacity * 8 +
        (capacity >> 1) * entryBytes +
        arena.length * 4 +
        memoCapacity * 16 +
        smallIds.length * 4 +
        (states.length + onlyState.length) * 48;
      if (memory > budget.memoryBytes) return { valid: 'unknown', reason: 'memory', stats };
      if (performance.now() > budget.deadline) yield { stats, bytes: memory };
    }
    if ((e & 1) === 0) {
      const i = e >> 1;
      if ((active >= 0 && classOf[i] !== active) || (e === blockedCall && !firstTry) || !twinReady(i)) {
        e = next[e]!;
        continue;
      }
      const s2 = stepSet(state, i);
      if (s2 >= 0 && !uselessOptional(i, s2)) {
        place(i);
        const entry = cacheAdd(s2);
        if (entry >= 0) {
          stackEntry.push(entry);
          stackCall.push(e);
          stackBefore.push(state);
          stackForced.push(s2 === state && readOnly[i] === 1);
          stackBlocked.push(blockedCall);
          stackFirstTry.push(firstTry);
          state = s2;
          lift(e);
          e = enter();
          continue;
        }
        unplace(i);
        const failedFor = entries[(-1 - entry) * stride + failAt]!;
        if (reduce && failedFor >= 0 && failedFor !== active) {
          // Placing a class-`active` op left the other class's part as it was: this configuration fails too.
          e = backjump(failedFor);
          if (e === searchExhausted) break;
          continue;
        }
      }
      e = afterFailedTry(e);
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
    if (!record && depth > deepestDepth) {
      deepestMore.length = 0;
      deepestDepth = depth;
      deepestCalls.length = depth;
      deepestStates.length = depth;
      // Op indices and the state sets after them; described only if the search fails.
      for (let j = deepestSynced; j < depth; j++) {
        deepestCalls[j] = stackCall[j]! >> 1;
        deepestStates[j] = j + 1 < depth ? stackBefore[j + 1]! : state;
      }
      deepestSynced = depth;
    } else if (
      !record &&
      depth > 0 &&
      depth === deepestDepth &&
      deepestMore.length < maxLongest - 1 &&
      moreCopied + depth <= maxMoreCopied
    ) {
      moreCopied += depth;
      deepestMore.push(stackCall.map((c, j) => [c >> 1, j + 1 < depth ? stackBefore[j + 1]! : state]));
    }
    if (record && depth > 0) {
      let seq: LinearizationStep[] | undefined;
      for (let d = 0; d < depth; d++) {
        const id = stackCall[d]! >> 1;
        const have = longestOf[id];
        if (have === undefined || have.length < depth) {
          seq ??= stackCall.map((c, j) => ({
            op: ops[c >> 1]!.id,
            state: describeSet(model, states, membersOf(j + 1 < depth ? stackBefore[j + 1]! : state)),
          }));
          longestOf[id] = seq;
        }
      }
    }
    e = backjump(active);
    if (e === searchExhausted) break;
  }
  if (e !== searchExhausted) return { valid: true, stats };

  const distinct = record
    ? [...new Set(longestOf.filter((s) => s !== undefined))].sort((a, b) => b.length - a.length)
    : [deepestCalls.map((i, j) => [i, deepestStates[j]!] as [number, number]), ...deepestMore]
        .filter((seq) => seq.length > 0)
        .map((seq) => seq.map(([i, set]) => ({ op: ops[i]!.id, state: describeSet(model, states, membersOf(set)) })));
  return {
    valid: false,
    failedOp: ops[furthestBlocked]!.id,
    longest: distinct.slice(0, maxLongest),
    stateSeen: describeSet(model, states, membersOf(stateSeen)),
    stats,
  };
}

/** canonicalKey, without its walk for the strings, numbers and arrays of them most ops carry. */
function valueKey(v: Value): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number') return `n${v}`;
  // An array of scalars is its own canonical JSON (a CAS's [from, to]).
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
  return canonicalKey(v);
}

function describeSet<S>(model: Model<S>, states: readonly S[], members: readonly number[]): string {
  const described = members.map((sid) => describeModelState(model, states[sid]!));
  return described.length === 1 ? described[0]! : `one of {${described.join(' | ')}}`;
}
