// A simulated linearizable key-value store whose clients may time out, for the linearizability benchmarks
// (bench/linearizable.bench.ts, bench/porcupine.bench.ts): info-heavy histories, and with repeated values,
// histories only the general search decides. Each op takes effect at one random point inside its interval,
// so the history is linearizable by construction.
import type { HistoryOp } from '../history.ts';

export interface RegisterStoreSimulation {
  /** Ops to start. */
  count: number;
  /** Keys; 1 means a plain register with no key field. */
  keys: number;
  /** Share of ops that end indeterminate (info): half of those took effect, half never did. */
  infoShare: number;
  /** Written values: unique per key, or drawn from this many (repeated values need the general search). */
  distinctValues: number | 'unique';
  seed: number;
}

/**
 * 16 processes; each op takes effect at a random point between its invoke and its completion (an info op:
 * maybe never). A process whose op ended in info continues under a fresh process id, as Jepsen does.
 */
export function simulateRegisterStore(o: RegisterStoreSimulation): HistoryOp[] {
  let seed = o.seed;
  const rand = (k: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % k;
  };
  const infoPerMille = Math.round(o.infoShare * 1000);
  type Pending = { f: string; key: number; value: number | null; applied: boolean; info: boolean; process: number };
  const events: HistoryOp[] = [];
  const pending = new Array<Pending | null>(16).fill(null);
  const processOf = Array.from({ length: 16 }, (_, i) => i);
  const store = new Array<number | null>(o.keys).fill(null);
  let next = 1;
  let started = 0;
  const push = (type: HistoryOp['type'], op: Pending, value: number | null): void => {
    const index = events.length;
    const e: HistoryOp = { index, time: index, type, process: op.process, f: op.f, value };
    if (o.keys > 1) e.key = `k${op.key}`;
    events.push(e);
  };
  while (started < o.count || pending.some((p) => p !== null)) {
    const slot = rand(16);
    const op = pending[slot];
    if (op === null || op === undefined) {
      if (started >= o.count) continue;
      started++;
      const write = rand(5) < 2;
      const value = write ? (o.distinctValues === 'unique' ? next++ : rand(o.distinctValues)) : null;
      const fresh: Pending = {
        f: write ? 'write' : 'read',
        key: rand(o.keys),
        value,
        applied: false,
        info: rand(1000) < infoPerMille,
        process: processOf[slot]!,
      };
      pending[slot] = fresh;
      push('invoke', fresh, value);
    } else if (!op.applied) {
      op.applied = true;
      if (op.info && rand(2) === 0) continue; // an indeterminate op that never took effect
      if (op.f === 'write') store[op.key] = op.value;
      else op.value = store[op.key] ?? null;
    } else {
      pending[slot] = null;
      if (op.info) {
        push('info', op, op.f === 'write' ? op.value : null);
        processOf[slot] = processOf[slot]! + 16;
      } else push('ok', op, op.value);
    }
  }
  return events;
}
