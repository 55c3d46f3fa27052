// dbcop's YAML histories: a list of sessions, each a list of transactions of read/write events on integer
// variables. Each event becomes its own op (process = session, key = "x<variable>"), in session order. The
// format records no real time: session i's j-th event gets time 2j (invoke) and 2j+1 (ok), so real-time
// checks (linearizability) see an arbitrary interleaving; causal and session checks need only session order.
import { parse } from 'yaml';
import { z } from 'zod';
import type { HistoryOp } from '../../../checkers/history.ts';

const dbcopEvent = z.object({
  write: z.boolean(),
  variable: z.number().int(),
  value: z.number().int(),
  success: z.boolean(),
});
const dbcopHistory = z.array(z.array(z.object({ events: z.array(dbcopEvent), success: z.boolean() })));

export function parseDbcopYaml(text: string, source = 'history.yaml'): HistoryOp[] {
  const parsed = dbcopHistory.safeParse(parse(text));
  if (!parsed.success) throw new Error(`${source}: not a dbcop history: ${z.prettifyError(parsed.error)}`);
  const events: Omit<HistoryOp, 'index'>[] = [];
  parsed.data.forEach((session, process) => {
    let j = 0;
    for (const txn of session) {
      for (const e of txn.events) {
        const f = e.write ? 'write' : 'read';
        const key = `x${e.variable}`;
        const done = txn.success && e.success ? 'ok' : 'fail';
        events.push({ time: 2 * j, type: 'invoke', process, f, key, value: e.write ? e.value : null });
        // dbcop's initial value is 0 for every variable, and written values are unique and non-zero:
        // a read of 0 reads the initial state, which faultline writes as null.
        events.push({
          time: 2 * j + 1,
          type: done,
          process,
          f,
          key,
          value: !e.write && e.value === 0 ? null : e.value,
        });
        j++;
      }
    }
  });
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ ...e, index }));
}
