// In-memory simulations of textbook replicated stores, producing faultline histories whose consistency is
// known by design: tests check that the checkers give the verdicts each design implies. Every op is
// invoked, takes effect at the store at some later step, and completes later still, so ops overlap in real
// time. Written values are unique ("<process>-<n>"); the initial value is null.
import type { HistoryOp } from '../history.ts';

export type StoreDesign =
  /** One copy; each op takes effect atomically between its invoke and its completion. */
  | 'linearizable'
  /** Writes append to one global log; each process reads from its own lagging prefix of it. */
  | 'sequential'
  /** A replica per process, causal delivery, each replica applies writes as they arrive (Ahamad's causal memory). */
  | 'causal-memory'
  /** A replica per process, causal delivery, last-writer-wins on Lamport timestamps (causal convergence). */
  | 'causal-lww'
  /** Three replicas, clients pick one per op, gossip in any order, last-writer-wins. */
  | 'eventual';

export interface StoreSimulation {
  design: StoreDesign;
  seed: number;
  processes?: number;
  keys?: number;
  /** Total ops to invoke. */
  ops?: number;
  readFraction?: number;
  /** Chance that an op ends in `info` (linearizable design only); its process is then replaced. */
  crashRate?: number;
}

/** mulberry32: small, seedable, good enough to drive a simulation. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Versioned {
  value: string;
  stamp: number;
  origin: number;
}

interface Message {
  from: number;
  clock: number[];
  key: string;
  write: Versioned;
}

interface Pending {
  f: 'read' | 'write';
  key: string;
  value: string | null;
  applied: boolean;
  result: string | null;
}

export function simulateStore(sim: StoreSimulation): HistoryOp[] {
  const random = seededRandom(sim.seed);
  const n = sim.processes ?? 4;
  const keys = Array.from({ length: sim.keys ?? 3 }, (_, i) => `k${i}`);
  const total = sim.ops ?? 200;
  const readFraction = sim.readFraction ?? 0.5;
  const crashRate = sim.design === 'linearizable' ? (sim.crashRate ?? 0) : 0;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const history: HistoryOp[] = [];
  const emit = (e: Omit<HistoryOp, 'index' | 'time'>): void => {
    history.push({ index: history.length, time: history.length, ...e });
  };

  // Store state for every design.
  const single = new Map<string, string>();
  const log: { key: string; value: string }[] = [];
  const perKeyLog = new Map<string, { at: number; value: string }[]>();
  const cursor = new Array<number>(n).fill(0);
  const replicaCount = sim.design === 'eventual' ? 3 : n;
  const replicas = Array.from({ length: replicaCount }, () => new Map<string, Versioned>());
  const clocks = Array.from({ length: replicaCount }, () => new Array<number>(replicaCount).fill(0));
  const lamport = new Array<number>(replicaCount).fill(0);
  // inbox[to][from]: messages from one replica arrive in the order sent (FIFO), so causal delivery only
  // ever needs to look at the head of each queue.
  const inbox: Message[][][] = Array.from({ length: replicaCount }, () =>
    Array.from({ length: replicaCount }, () => []),
  );

  const readPrefix = (key: string, prefix: number): string | null => {
    const list = perKeyLog.get(key) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.at < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : list[lo - 1]!.value;
  };
  const applyAt = (replica: number, key: string, w: Versioned, lww: boolean): void => {
    const current = replicas[replica]!.get(key);
    const newer =
      current === undefined || w.stamp > current.stamp || (w.stamp === current.stamp && w.origin > current.origin);
    if (!lww || newer) replicas[replica]!.set(key, w);
    lamport[replica] = Math.max(lamport[replica]!, w.stamp);
  };
  const deliverable = (to: number, m: Message): boolean => {
    if (sim.design === 'eventual') return true;
    const have = clocks[to]!;
    return m.clock.every((c, j) => (j === m.from ? c === have[j]! + 1 : c <= have[j]!));
  };
  const deliverOne = (): void => {
    const to = Math.floor(random() * replicaCount);
    const queues = inbox[to]!;
    const from = Math.floor(random() * replicaCount);
    const queue = queues[from]!;
    if (queue.length === 0) return;
    // The eventual store gossips in any order; the causal stores deliver a sender's writes in order, and only
    // once everything they causally depend on has arrived.
    const at = sim.design === 'eventual' ? Math.floor(random() * queue.length) : 0;
    const m = queue[at]!;
    if (!deliverable(to, m)) return;
    queue.splice(at, 1);
    if (sim.design !== 'eventual') clocks[to]![m.from] = m.clock[m.from]!;
    applyAt(to, m.key, m.write, sim.design !== 'causal-memory');
  };
  const apply = (p: number, op: Pending): void => {
    op.applied = true;
    switch (sim.design) {
      case 'linearizable':
        if (op.f === 'write') single.set(op.key, op.value!);
        else op.result = single.get(op.key) ?? null;
        return;
      case 'sequential':
        if (op.f === 'write') {
          log.push({ key: op.key, value: op.value! });
          const list = perKeyLog.get(op.key) ?? [];
          list.push({ at: log.length - 1, value: op.value! });
          perKeyLog.set(op.key, list);
          cursor[p] = log.length;
        } else {
          cursor[p] = cursor[p]! + Math.floor(random() * (log.length - cursor[p]! + 1) * random());
          op.result = readPrefix(op.key, cursor[p]);
        }
        return;
      case 'causal-memory':
      case 'causal-lww':
      case 'eventual': {
        const r = sim.design === 'eventual' ? Math.floor(random() * replicaCount) : p;
        if (op.f === 'read') {
          op.result = replicas[r]!.get(op.key)?.value ?? null;
          return;
        }
        const w: Versioned = { value: op.value!, stamp: lamport[r]! + 1, origin: r };
        applyAt(r, op.key, w, sim.design !== 'causal-memory');
        clocks[r]![r]!++;
        for (let q = 0; q < replicaCount; q++) {
          if (q !== r) inbox[q]![r]!.push({ from: r, clock: [...clocks[r]!], key: op.key, write: w });
        }
        return;
      }
    }
  };

  const pending = new Array<Pending | null>(n).fill(null);
  const processId = Array.from({ length: n }, (_, i) => i);
  const counter = new Array<number>(n).fill(0);
  let invoked = 0;
  while (invoked < total || pending.some((o) => o !== null)) {
    if (random() < 0.6) deliverOne();
    const p = Math.floor(random() * n);
    const op = pending[p];
    if (op === null || op === undefined) {
      if (invoked >= total) continue;
      invoked++;
      const f = random() < readFraction ? 'read' : 'write';
      const key = pick(keys);
      const value = f === 'write' ? `${processId[p]}-${counter[p]!++}` : null;
      pending[p] = { f, key, value, applied: false, result: null };
      emit({ type: 'invoke', process: processId[p]!, f, key, value });
    } else if (!op.applied && random() < crashRate / 2) {
      // Crashed before taking effect: the client never learns the outcome.
      emit({ type: 'info', process: processId[p]!, f: op.f, key: op.key, value: op.value });
      pending[p] = null;
      processId[p] = processId[p]! + n;
    } else if (!op.applied) {
      apply(p, op);
    } else {
      const crashed = random() < crashRate;
      emit({
        type: crashed ? 'info' : 'ok',
        process: processId[p]!,
        f: op.f,
        key: op.key,
        value: op.f === 'write' ? op.value : crashed ? null : op.result,
      });
      pending[p] = null;
      if (crashed) processId[p] = processId[p]! + n;
    }
  }
  return history;
}
