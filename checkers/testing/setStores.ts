// A simulated grow-only set store, for the set checker's tests and benchmark: processes add unique elements
// and read whole sets, per key, each op taking effect at one instant inside its interval (so with no faults
// the history is linearizable). Faults: an acknowledged add forgotten later (lost), a read answered from an
// old state (stale), an add that ends in `info` (applied or not; its process is replaced, as Jepsen does).
import type { HistoryOp } from '../history.ts';
import { seededRandom } from './stores.ts';

export interface SetStoreSimulation {
  seed: number;
  processes: number;
  keys: number;
  ops: number;
  /** Share of reads among ops. Default 0.2 (the set workload's add 4 : read 1). */
  readFraction?: number;
  /** Chance that an acknowledged add is forgotten shortly after it took effect. */
  lossRate?: number;
  /** Chance that a read returns the state of up to 50 ms before. */
  staleRate?: number;
  /** Chance that an add ends in info. */
  infoRate?: number;
  /** Each key's final read, after every other op (the set workload's final reads). Default true. */
  finalReads?: boolean;
}

interface SimOp {
  process: number;
  f: 'add' | 'read';
  key: string;
  value: number | null;
  call: number;
  at: number;
  ret: number;
  info: boolean;
  applied: boolean;
  result: number[] | null;
}

const ms = 1_000_000;

export function simulateSetStore(sim: SetStoreSimulation): HistoryOp[] {
  const rand = seededRandom(sim.seed);
  const readFraction = sim.readFraction ?? 0.2;
  const keyName = (i: number): string => `k${i}`;
  const free = Array.from({ length: sim.processes }, () => rand() * ms);
  const ids = Array.from({ length: sim.processes }, (_, i) => i);
  let nextProcess = sim.processes;
  let nextValue = 1;
  const ops: SimOp[] = [];
  for (let i = 0; i < sim.ops; i++) {
    let p = 0;
    for (let q = 1; q < free.length; q++) if (free[q]! < free[p]!) p = q;
    const call = free[p]!;
    const at = call + (0.1 + rand() * 3) * ms;
    const ret = at + (0.1 + rand() * 3) * ms;
    const isRead = rand() < readFraction;
    const info = !isRead && rand() < (sim.infoRate ?? 0);
    const op: SimOp = {
      process: ids[p]!,
      f: isRead ? 'read' : 'add',
      key: keyName(Math.floor(rand() * sim.keys)),
      value: isRead ? null : nextValue++,
      call,
      at,
      ret: info ? Infinity : ret,
      info,
      applied: !info || rand() < 0.5,
      result: null,
    };
    ops.push(op);
    free[p] = ret + rand() * ms;
    if (info) ids[p] = nextProcess++;
  }
  if (sim.finalReads ?? true) {
    const end = Math.max(...free) + 100 * ms;
    for (let k = 0; k < sim.keys; k++) {
      const call = end + k * 10 * ms;
      ops.push({
        process: nextProcess++,
        f: 'read',
        key: keyName(k),
        value: null,
        call,
        at: call + ms,
        ret: call + 2 * ms,
        info: false,
        applied: true,
        result: null,
      });
    }
  }
  // Apply in effect order. Each key's members in effect order with the time they leave (lost) or Infinity.
  const members = new Map<string, { value: number; at: number; until: number }[]>();
  for (const op of [...ops].sort((a, b) => a.at - b.at)) {
    let list = members.get(op.key);
    if (list === undefined) members.set(op.key, (list = []));
    if (op.f === 'add') {
      if (!op.applied) continue;
      const lost = sim.lossRate !== undefined && rand() < sim.lossRate;
      list.push({ value: op.value!, at: op.at, until: lost ? op.at + rand() * 20 * ms : Infinity });
      continue;
    }
    const t = sim.staleRate !== undefined && rand() < sim.staleRate ? op.at - rand() * 50 * ms : op.at;
    const result: number[] = [];
    for (const m of list) if (m.at <= t && m.until > t) result.push(m.value);
    op.result = result;
  }
  const events: { time: number; order: number; op: Omit<HistoryOp, 'index'> }[] = [];
  ops.forEach((op, i) => {
    const base = { process: op.process, f: op.f, key: op.key };
    events.push({ time: op.call, order: 2 * i, op: { ...base, time: op.call, type: 'invoke', value: op.value } });
    if (op.info) return; // never completes: indeterminate
    events.push({
      time: op.ret,
      order: 2 * i + 1,
      op: { ...base, time: op.ret, type: 'ok', value: op.f === 'add' ? op.value : op.result },
    });
  });
  events.sort((a, b) => a.time - b.time || a.order - b.order);
  return events.map((e, index) => ({ index, ...e.op, time: Math.round(e.time) }));
}
