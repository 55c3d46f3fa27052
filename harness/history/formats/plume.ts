// Plume's text histories (also PolySI's): one micro-op per line, `r(key,value,session,txn)` or
// `w(key,value,session,txn)`; txn -1 marks an aborted transaction's write; every key starts at 0. Each
// micro-op becomes its own op in session order (process = session); reads of 0 read the initial state (null).
import type { HistoryOp } from '../../../checkers/history.ts';

const microOp = /^([rw])\((-?\d+),(-?\d+),(-?\d+),(-?\d+)\)$/;

export function parsePlumeText(text: string, source = 'history.txt'): HistoryOp[] {
  const events: Omit<HistoryOp, 'index'>[] = [];
  const position = new Map<number, number>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const m = microOp.exec(line);
    if (!m) throw new Error(`${source}:${i + 1}: expected r(key,value,session,txn) or w(key,value,session,txn)`);
    const [, rw, key, value, session, txn] = m;
    const process = Number(session);
    const j = position.get(process) ?? 0;
    position.set(process, j + 1);
    const f = rw === 'w' ? 'write' : 'read';
    const v = Number(value);
    events.push({ time: 2 * j, type: 'invoke', process, f, key: key!, value: f === 'write' ? v : null });
    events.push({
      time: 2 * j + 1,
      type: txn === '-1' ? 'fail' : 'ok',
      process,
      f,
      key: key!,
      value: f === 'read' && v === 0 ? null : v,
    });
  });
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ ...e, index }));
}
