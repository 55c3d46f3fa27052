// Small register histories for differential tests: an abstract form (sessions of reads and writes with
// unique values, initial value 0), its rendering as a faultline history, and a fast-check generator.
import fc from 'fast-check';
import type { HistoryOp } from '../history.ts';

export interface SmallOp {
  kind: 'w' | 'r';
  key: string;
  /** Written value, or the value the read returned (0 = initial). */
  value: number;
  /** Writes only: fail = did not happen, info = unknown (only ever the last op of its session). */
  status: 'ok' | 'fail' | 'info';
}

export type SmallHistory = SmallOp[][];

/**
 * Renders sessions as invoke/completion events. `schedule` picks which session advances next (modulo the
 * sessions still running), so processes overlap in real time; without it sessions run one after another.
 */
export function renderSmallHistory(h: SmallHistory, schedule: readonly number[] = []): HistoryOp[] {
  const events: HistoryOp[] = [];
  const next = h.map(() => 0);
  const pending = h.map(() => false);
  let pick = 0;
  const emit = (s: number): void => {
    const op = h[s]![next[s]!]!;
    const f = op.kind === 'w' ? 'write' : 'read';
    const index = events.length;
    if (!pending[s]) {
      events.push({
        index,
        time: index,
        type: 'invoke',
        process: s,
        f,
        key: op.key,
        value: op.kind === 'w' ? op.value : null,
      });
      pending[s] = true;
      return;
    }
    const type = op.kind === 'w' ? op.status : 'ok';
    events.push({ index, time: index, type, process: s, f, key: op.key, value: op.value });
    pending[s] = false;
    next[s]!++;
  };
  for (;;) {
    const live = h.map((ops, s) => s).filter((s) => next[s]! < h[s]!.length);
    if (live.length === 0) return events;
    const s = schedule.length > 0 ? live[schedule[pick++ % schedule.length]! % live.length]! : live[0]!;
    emit(s);
  }
}

export interface SmallHistoryShape {
  maxOps?: number;
  sessions?: number;
  keys?: number;
  /** Allow failed and indeterminate writes. */
  faults?: boolean;
  /** Allow reads of values nobody wrote. */
  thinAir?: boolean;
}

/** Random histories of up to `maxOps` ops; reads return the initial value or some write's value on their key. */
export function smallHistoryArbitrary(shape: SmallHistoryShape = {}): fc.Arbitrary<SmallHistory> {
  const sessions = shape.sessions ?? 3;
  const keys = shape.keys ?? 2;
  const raw = fc.array(
    fc.record({
      session: fc.nat(sessions - 1),
      write: fc.boolean(),
      key: fc.nat(keys - 1),
      pick: fc.nat(20),
      status: fc.constantFrom<SmallOp['status']>('ok', 'ok', 'ok', 'fail', 'info'),
    }),
    { minLength: 1, maxLength: shape.maxOps ?? 8 },
  );
  return raw.map((ops) => {
    const names = ['x', 'y', 'z'];
    const written = new Map<string, number[]>();
    let counter = 0;
    for (const o of ops) {
      if (!o.write) continue;
      const key = names[o.key]!;
      written.set(key, [...(written.get(key) ?? []), ++counter]);
    }
    const history: SmallHistory = Array.from({ length: sessions }, () => []);
    counter = 0;
    for (const o of ops) {
      const key = names[o.key]!;
      const session = history[o.session]!;
      if (session.at(-1)?.status === 'info') continue;
      if (o.write) {
        session.push({ kind: 'w', key, value: ++counter, status: shape.faults ? o.status : 'ok' });
        continue;
      }
      const choices = [0, ...(written.get(key) ?? [])];
      const value = shape.thinAir && o.pick === 20 ? 99 : choices[o.pick % choices.length]!;
      session.push({ kind: 'r', key, value, status: 'ok' });
    }
    return history.filter((s) => s.length > 0);
  });
}

export function showSmallHistory(h: SmallHistory): string {
  return h
    .map((s) => s.map((o) => `${o.kind} ${o.key}${o.value}${o.status === 'ok' ? '' : `(${o.status})`}`).join(', '))
    .join(' | ');
}
