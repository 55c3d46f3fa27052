// Exact sequential-consistency check for multi-key histories with unique values (checking.md §2.5): a
// depth-first search over frontiers (how many ops of each process are placed). With the read-mapping known,
// the frontier alone determines what is legal next, so visited frontiers are memoised. Reads are placed as
// soon as they are enabled (they never disable anything), so only writes are choices; writes are tried in a
// guessed order (guessSequentialOrder: necessary constraints, ties broken by real time, since real systems
// are usually close to it). NP-complete in general: the search has a time and a state budget and answers
// unknown when either runs out, never a silent pass.
import type { RegisterHistory } from '../causal/registerHistory.ts';
import { describeOp } from '../causal/registerHistory.ts';
import { EdgeList, buildDigraph } from '../causal/digraph.ts';

export interface FrontierSearchOptions {
  deadline: number;
  maxStates: number;
  /**
   * Pairs (w1, w2) flattened: write w1 precedes write w2 in every sequential order (from the per-key block
   * graph and causal convergence). Necessary conditions only, so completeness is kept; they stop the search
   * from placing a write early and finding out much later.
   */
  before?: readonly number[];
  /** Rank of each op in a guessed sequential order: writes are tried lowest rank first. */
  rank?: Int32Array | undefined;
  /**
   * The search pauses (yields what it has explored) at least this often, so an async caller can let the event
   * loop run (a progress line, a Ctrl-C); a paused search resumes where it stopped. Default: never.
   */
  pauseEveryMs?: number;
}

/** What a paused search has explored so far. */
export interface FrontierSearchPause {
  /** Frontiers visited. */
  states: number;
  /** The most ops placed in one order so far. */
  placedAtDeepest: number;
}

export type FrontierSearchResult =
  | { verdict: true; states: number }
  | { verdict: false; states: number; deepest: Int32Array; placedAtDeepest: number }
  | { verdict: 'unknown'; states: number; reason: string; deepest: Int32Array; placedAtDeepest: number };

/** The search run to its end on this thread (it never pauses unless `pauseEveryMs` is given). */
export function frontierSearch(h: RegisterHistory, options: FrontierSearchOptions): FrontierSearchResult {
  const search = frontierSearchSteps(h, options);
  for (;;) {
    const step = search.next();
    if (step.done === true) return step.value;
  }
}

/** The search, pausing every `pauseEveryMs` with what it has explored; the generator's return is the verdict. */
export function* frontierSearchSteps(
  h: RegisterHistory,
  options: FrontierSearchOptions,
): Generator<FrontierSearchPause, FrontierSearchResult, undefined> {
  const n = h.ops.length;
  const k = h.sessions.length;
  const frontier = new Int32Array(k);
  const executed = new Uint8Array(n);
  const readsLeft = new Int32Array(n);
  const initReadsLeft = new Int32Array(h.keys.length);
  const writesDone = new Int32Array(h.keys.length);
  const open = new Int32Array(h.keys.length).fill(-1);
  for (let o = 0; o < n; o++) {
    if (h.isWrite[o]) continue;
    if (h.src[o]! >= 0) readsLeft[h.src[o]!]!++;
    else initReadsLeft[h.keyOf[o]!]!++;
  }
  const waitingFor = new Int32Array(n);
  const successors: number[][] = [];
  const before = options.before ?? [];
  for (let i = 0; i < before.length; i += 2) {
    const [a, b] = [before[i]!, before[i + 1]!];
    waitingFor[b]!++;
    (successors[a] ??= []).push(b);
  }
  const trail: number[] = [];
  const visited = new Set<string>();
  let placed = 0;
  let deepest = new Int32Array(k);
  let placedAtDeepest = -1;

  const enabled = (o: number): boolean => {
    const x = h.keyOf[o]!;
    if (h.isWrite[o]) return open[x] === -1 && initReadsLeft[x] === 0 && waitingFor[o] === 0;
    const w = h.src[o]!;
    return w >= 0 ? executed[w] === 1 : writesDone[x] === 0;
  };
  const execute = (o: number): void => {
    const x = h.keyOf[o]!;
    executed[o] = 1;
    frontier[h.session[o]!]!++;
    placed++;
    trail.push(o);
    if (h.isWrite[o]) {
      writesDone[x]!++;
      if (readsLeft[o]! > 0) open[x] = o;
      for (const b of successors[o] ?? []) waitingFor[b]!--;
      return;
    }
    const w = h.src[o]!;
    if (w < 0) initReadsLeft[x]!--;
    else if (--readsLeft[w]! === 0 && open[x] === w) open[x] = -1;
  };
  const undo = (o: number): void => {
    const x = h.keyOf[o]!;
    executed[o] = 0;
    frontier[h.session[o]!]!--;
    placed--;
    if (h.isWrite[o]) {
      writesDone[x]!--;
      if (open[x] === o) open[x] = -1;
      for (const b of successors[o] ?? []) waitingFor[b]!++;
      return;
    }
    const w = h.src[o]!;
    if (w < 0) initReadsLeft[x]!++;
    else if (readsLeft[w]!++ === 0) open[x] = w;
  };
  const undoTo = (length: number): void => {
    while (trail.length > length) undo(trail.pop()!);
  };
  const head = (s: number): number => {
    const ops = h.sessions[s]!;
    const i = frontier[s]!;
    return i < ops.length ? ops[i]! : -1;
  };
  const placeReads = (): void => {
    for (let progress = true; progress;) {
      progress = false;
      for (let s = 0; s < k; s++) {
        for (let o = head(s); o >= 0 && !h.isWrite[o] && enabled(o); o = head(s)) {
          execute(o);
          progress = true;
        }
      }
    }
  };
  const writeChoices = (): number[] => {
    const choices: number[] = [];
    for (let s = 0; s < k; s++) {
      const o = head(s);
      if (o >= 0 && h.isWrite[o] && enabled(o)) choices.push(o);
    }
    const rank = options.rank;
    const tie = rank === undefined ? (o: number) => h.ops[o]!.invokeIndex : (o: number) => rank[o]!;
    return choices.sort((a, b) => tie(a) - tie(b));
  };
  const noteDepth = (): void => {
    if (placed > placedAtDeepest) {
      placedAtDeepest = placed;
      deepest = frontier.slice();
    }
  };

  interface Frame {
    base: number;
    choices: number[];
    next: number;
  }
  placeReads();
  noteDepth();
  if (placed === n) return { verdict: true, states: 1 };
  visited.add(frontier.join(','));
  const stack: Frame[] = [{ base: trail.length, choices: writeChoices(), next: 0 }];
  let steps = 0;
  const pauseEveryMs = options.pauseEveryMs ?? Infinity;
  let nextPause = performance.now() + pauseEveryMs;
  while (stack.length > 0) {
    if ((++steps & 255) === 0) {
      if (Date.now() > options.deadline)
        return { verdict: 'unknown', states: visited.size, reason: 'time budget ran out', deepest, placedAtDeepest };
      if (performance.now() >= nextPause) {
        yield { states: visited.size, placedAtDeepest };
        nextPause = performance.now() + pauseEveryMs;
      }
    }
    const frame = stack[stack.length - 1]!;
    undoTo(frame.base);
    if (frame.next >= frame.choices.length) {
      stack.pop();
      continue;
    }
    execute(frame.choices[frame.next++]!);
    placeReads();
    noteDepth();
    if (placed === n) return { verdict: true, states: visited.size };
    const key = frontier.join(',');
    if (visited.has(key)) continue;
    if (visited.size >= options.maxStates) {
      return {
        verdict: 'unknown',
        states: visited.size,
        reason: `state budget of ${options.maxStates} frontiers ran out`,
        deepest,
        placedAtDeepest,
      };
    }
    visited.add(key);
    const choices = writeChoices();
    if (choices.length > 0) stack.push({ base: trail.length, choices, next: 0 });
  }
  return { verdict: false, states: visited.size, deepest, placedAtDeepest };
}

/** Why an edge of the sequential constraints exists. */
export const CONSTRAINT_PROGRAM_ORDER = 0;
export const CONSTRAINT_READS_FROM = 1;
export const CONSTRAINT_WRITE_ORDER = 2;
export const CONSTRAINT_READ_BEFORE_OVERWRITE = 3;
export const CONSTRAINT_INITIAL_READ = 4;

/**
 * Orders every sequential order must respect: program order, reads-from, the known write orders (`before`),
 * the read-before-write edges they imply (a read of w1 precedes every write that must follow w1), and reads
 * of the initial value before every write of their key. A cycle among them proves the history is not SC.
 */
export function sequentialConstraints(h: RegisterHistory, before: readonly number[]): EdgeList {
  const n = h.ops.length;
  const edges = new EdgeList();
  for (const s of h.sessions) for (let i = 1; i < s.length; i++) edges.add(s[i - 1]!, s[i]!, CONSTRAINT_PROGRAM_ORDER);
  const readersOf: number[][] = Array.from({ length: n }, () => []);
  for (let r = 0; r < n; r++) {
    if (h.isWrite[r] || h.src[r]! < 0) continue;
    edges.add(h.src[r]!, r, CONSTRAINT_READS_FROM);
    readersOf[h.src[r]!]!.push(r);
  }
  for (let i = 0; i < before.length; i += 2) {
    const [a, b] = [before[i]!, before[i + 1]!];
    edges.add(a, b, CONSTRAINT_WRITE_ORDER);
    for (const r of readersOf[a]!) edges.add(r, b, CONSTRAINT_READ_BEFORE_OVERWRITE);
  }
  for (let r = 0; r < n; r++) {
    if (h.isWrite[r] || h.src[r]! >= 0) continue;
    for (const w of h.writesByKey[h.keyOf[r]!]!) edges.add(r, w, CONSTRAINT_INITIAL_READ);
  }
  return edges;
}

/**
 * A guessed sequential order, as a rank per op: a topological order of `sequentialConstraints`, breaking
 * ties by where a real store probably placed each op. Null when the constraints are cyclic.
 */
export function guessSequentialOrder(h: RegisterHistory, before: readonly number[]): Int32Array | null {
  const n = h.ops.length;
  const g = buildDigraph(n, sequentialConstraints(h, before));
  const indegree = new Int32Array(n);
  for (let e = 0; e < g.target.length; e++) indegree[g.target[e]!]!++;
  const heap: number[] = [];
  // Where a real store probably placed each op, from the zones of checking.md §1.5: a write's cluster (the
  // write and its reads) is current from its earliest finish f to its latest start s; a write goes at
  // min(f, s), which is the linearization order for linearizable histories.
  const time = new Float64Array(n);
  const latestStart = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    const op = h.ops[o]!;
    time[o] = h.isWrite[o] ? (op.completeIndex ?? Infinity) : op.invokeIndex;
    latestStart[o] = op.invokeIndex;
  }
  for (let r = 0; r < n; r++) {
    const w = h.src[r]!;
    if (h.isWrite[r] || w < 0) continue;
    time[w] = Math.min(time[w]!, h.ops[r]!.completeIndex ?? Infinity);
    latestStart[w] = Math.max(latestStart[w]!, h.ops[r]!.invokeIndex);
  }
  for (let w = 0; w < n; w++) if (h.isWrite[w]) time[w] = Math.min(time[w]!, latestStart[w]!);
  // A read goes as soon as it can after the write it read (which is what the search does with reads).
  for (let r = 0; r < n; r++) if (!h.isWrite[r]) time[r] = h.src[r]! >= 0 ? time[h.src[r]!]! : -1;
  const key = (o: number): number => time[o]!;
  const push = (o: number): void => {
    heap.push(o);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (key(heap[parent]!) <= key(heap[i]!)) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && key(heap[l]!) < key(heap[m]!)) m = l;
        if (r < heap.length && key(heap[r]!) < key(heap[m]!)) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  for (let o = 0; o < n; o++) if (indegree[o] === 0) push(o);
  const rank = new Int32Array(n);
  let next = 0;
  while (heap.length > 0) {
    const o = pop();
    rank[o] = next++;
    for (let e = g.start[o]!; e < g.start[o + 1]!; e++) if (--indegree[g.target[e]!]! === 0) push(g.target[e]!);
  }
  return next === n ? rank : null;
}

/**
 * Why the deepest frontier cannot go on: each session's next op in words, the ops it waits for, and the
 * edges between them (node ids): rf from an unplaced write to the read of it, rw from an unplaced read to the
 * write that would overwrite its value, po from a session's next op to a later op of it the frontier waits for.
 */
export interface BlockedFrontier {
  text: string;
  ops: number[];
  edges: { from: number; to: number; relation: 'po' | 'rf' | 'rw' }[];
}

export function describeBlockedFrontier(h: RegisterHistory, frontier: Int32Array): BlockedFrontier {
  const executed = new Uint8Array(h.ops.length);
  h.sessions.forEach((ops, s) => {
    for (let i = 0; i < frontier[s]!; i++) executed[ops[i]!] = 1;
  });
  const parts: string[] = [];
  const ops: number[] = [];
  const edges: BlockedFrontier['edges'] = [];
  // An op the frontier waits for is behind its own session's next op, which must come first (po): with the
  // waits (rf, rw) these edges show why no next op can be placed.
  const waitFor = (blocker: number, blocked: number, relation: 'rf' | 'rw'): void => {
    const next = h.sessions[h.session[blocker]!]![frontier[h.session[blocker]!]!];
    if (next !== undefined && next !== blocker) edges.push({ from: next, to: blocker, relation: 'po' });
    edges.push({ from: blocker, to: blocked, relation });
    ops.push(blocker);
  };
  h.sessions.forEach((session, s) => {
    const o = session[frontier[s]!];
    if (o === undefined) return;
    ops.push(o);
    const x = h.keyOf[o]!;
    const op = describeOp(h.ops[o]!);
    if (!h.isWrite[o]) {
      const w = h.src[o]!;
      if (w >= 0) {
        parts.push(`${op} is blocked: ${describeOp(h.ops[w]!)} is not placed yet`);
        waitFor(w, o, 'rf');
      } else parts.push(`${op} is blocked: a write of that key is already placed`);
      return;
    }
    const reader = h.ops.findIndex(
      (_, r) => !h.isWrite[r] && !executed[r] && h.keyOf[r] === x && (h.src[r]! < 0 ? true : executed[h.src[r]!] === 1),
    );
    if (reader >= 0) {
      const w = h.src[reader]!;
      const current = w >= 0 ? describeOp(h.ops[w]!) : 'the initial value';
      parts.push(
        `${op} is blocked: the value of ${current} must stay current until ${describeOp(h.ops[reader]!)} is placed`,
      );
      waitFor(reader, o, 'rw');
    } else parts.push(`${op} is blocked`);
  });
  return { text: parts.join('; '), ops: [...new Set(ops)], edges };
}
