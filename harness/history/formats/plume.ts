// Plume's text histories (also PolySI's): one micro-op per line, `r(key,value,session,txn)` or
// `w(key,value,session,txn)`, the ops of one transaction contiguous and in program order; txn -1 marks an
// aborted transaction's write; every key starts at 0. Each transaction becomes one `txn` op whose value
// lists [r|w, key, value] micro-ops (process = session; reads of 0 read the initial state, null). No real
// time is recorded: a session's j-th transaction gets time 2j (invoke) and 2j+1 (completion).
import type { HistoryOp, Value } from '../../../checkers/history.ts';

const microOp = /^([rw])\((-?\d+),(-?\d+),(-?\d+),(-?\d+)\)$/;

interface PlumeTxn {
  session: number;
  txn: string;
  micro: [string, string, Value][];
}

/** Builds a Plume history from its lines, fed one at a time (so a history streams). */
export class PlumeParser {
  private readonly txns: PlumeTxn[] = [];
  private readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  line(raw: string, lineNo: number): void {
    const line = raw.trim();
    if (line === '') return;
    const m = microOp.exec(line);
    if (!m) throw new Error(`${this.source}:${lineNo}: expected r(key,value,session,txn) or w(key,value,session,txn)`);
    const [, rw, key, value, session, txn] = m;
    const v = Number(value);
    const last = this.txns[this.txns.length - 1];
    const micro: [string, string, Value] = [rw!, key!, rw === 'r' && v === 0 ? null : v];
    if (last?.session === Number(session) && last.txn === txn) last.micro.push(micro);
    else this.txns.push({ session: Number(session), txn: txn!, micro: [micro] });
  }

  finish(): HistoryOp[] {
    const events: Omit<HistoryOp, 'index'>[] = [];
    const position = new Map<number, number>();
    for (const t of this.txns) {
      const j = position.get(t.session) ?? 0;
      position.set(t.session, j + 1);
      const invoked = t.micro.map(([f, k, v]) => [f, k, f === 'r' ? null : v]);
      events.push({ time: 2 * j, type: 'invoke', process: t.session, f: 'txn', value: invoked });
      events.push({
        time: 2 * j + 1,
        type: t.txn === '-1' ? 'fail' : 'ok',
        process: t.session,
        f: 'txn',
        value: t.micro,
      });
    }
    events.sort((a, b) => a.time - b.time);
    return events.map((e, index) => ({ ...e, index }));
  }
}

export function parsePlumeText(text: string, source = 'history.txt'): HistoryOp[] {
  const parser = new PlumeParser(source);
  text.split('\n').forEach((raw, i) => {
    parser.line(raw, i + 1);
  });
  return parser.finish();
}
