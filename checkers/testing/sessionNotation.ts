// checking.md's compact notation for small register histories, for tests: sessions separated by `|`, ops by
// `,`; `w x1` writes 1 to key x, `r x0` reads 0 from x; without a key letter (`w1`, `r2`) the op has no key.
// Sessions run one after another in the log, so the history carries no real-time overlap.
import type { HistoryOp } from '../history.ts';

export function historyFromSessions(text: string): HistoryOp[] {
  const history: HistoryOp[] = [];
  text.split('|').forEach((sessionText, process) => {
    for (const raw of sessionText.split(',')) {
      const token = raw.trim();
      if (token === '') continue;
      const m = /^([wr])\s*([a-z]*)\s*(-?\d+)$/.exec(token);
      if (m === null) throw new Error(`cannot read op "${token}" in "${text}"`);
      const [, kind, key, digits] = m;
      const value = Number(digits);
      const f = kind === 'w' ? 'write' : 'read';
      const invoke: HistoryOp = {
        index: history.length,
        time: history.length,
        type: 'invoke',
        process,
        f,
        value: f === 'write' ? value : null,
      };
      if (key) invoke.key = key;
      history.push(invoke);
      const ok: HistoryOp = { index: history.length, time: history.length, type: 'ok', process, f, value };
      if (key) ok.key = key;
      history.push(ok);
    }
  });
  return history;
}
