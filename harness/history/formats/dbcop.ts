// dbcop's YAML histories: a list of sessions, each a list of transactions of read/write events on integer
// variables (process = session, key = "x<variable>"). The format records no real time: the j-th step of a
// session gets time 2j (invoke) and 2j+1 (completion), so real-time checks (linearizability) see an
// arbitrary interleaving; causal and session checks need only session order.
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

function readDbcop(text: string, source: string): z.infer<typeof dbcopHistory> {
  const parsed = dbcopHistory.safeParse(parse(text));
  if (!parsed.success) throw new Error(`${source}: not a dbcop history: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** dbcop's initial value is 0 for every variable, and written values are unique and non-zero: a read of 0
 * reads the initial state, which faultline writes as null. */
const readValue = (e: z.infer<typeof dbcopEvent>) => (!e.write && e.value === 0 ? null : e.value);

/**
 * Each transaction becomes one `txn` op whose value lists [r|w, key, value] micro-ops: the faithful reading,
 * since a transaction's reads are atomic. Transactions of a session follow each other; sessions overlap.
 */
export function parseDbcopYaml(text: string, source = 'history.yaml'): HistoryOp[] {
  const events: Omit<HistoryOp, 'index'>[] = [];
  readDbcop(text, source).forEach((session, process) => {
    session.forEach((txn, j) => {
      const micro = txn.events.map((e) => [e.write ? 'w' : 'r', `x${e.variable}`, readValue(e)]);
      const invoked = txn.events.map((e) => [e.write ? 'w' : 'r', `x${e.variable}`, e.write ? e.value : null]);
      events.push({ time: 2 * j, type: 'invoke', process, f: 'txn', value: invoked });
      events.push({ time: 2 * j + 1, type: txn.success ? 'ok' : 'fail', process, f: 'txn', value: micro });
    });
  });
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ ...e, index }));
}

/** Each event as its own read or write op, for the single-op checkers; drops the atomicity of transactions. */
export function parseDbcopYamlEvents(text: string, source = 'history.yaml'): HistoryOp[] {
  const events: Omit<HistoryOp, 'index'>[] = [];
  readDbcop(text, source).forEach((session, process) => {
    let j = 0;
    for (const txn of session) {
      for (const e of txn.events) {
        const f = e.write ? 'write' : 'read';
        const key = `x${e.variable}`;
        const done = txn.success && e.success ? 'ok' : 'fail';
        events.push({ time: 2 * j, type: 'invoke', process, f, key, value: e.write ? e.value : null });
        events.push({ time: 2 * j + 1, type: done, process, f, key, value: readValue(e) });
        j++;
      }
    }
  });
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ ...e, index }));
}
