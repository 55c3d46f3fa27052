// dbcop's YAML histories: a list of sessions, each a list of transactions of read/write events on integer
// variables (process = session, key = "x<variable>"). The format records no real time: the j-th step of a
// session gets time 2j (invoke) and 2j+1 (completion), so real-time checks (linearizability) see an
// arbitrary interleaving; causal and session checks need only session order.
import { parse } from 'yaml';
import type { HistoryOp } from '../../../checkers/history.ts';

interface DbcopEvent {
  write: boolean;
  variable: number;
  value: number;
  success: boolean;
}
type DbcopHistory = { events: DbcopEvent[]; success: boolean }[][];

/** Checked by hand rather than with zod: `faultline check` then never loads zod, which costs start-up time. */
function readDbcop(text: string, source: string): DbcopHistory {
  const fail = (where: string, what: string): never => {
    throw new Error(`${source}: not a dbcop history: ${where}: ${what}`);
  };
  const data: unknown = parse(text);
  if (!Array.isArray(data)) return fail('the document', 'expected a list of sessions');
  data.forEach((session: unknown, s) => {
    if (!Array.isArray(session)) fail(`session ${s}`, 'expected a list of transactions');
    (session as unknown[]).forEach((txn, t) => {
      const at = `session ${s}, transaction ${t}`;
      if (typeof txn !== 'object' || txn === null) fail(at, 'expected {events, success}');
      const { events, success } = txn as { events?: unknown; success?: unknown };
      if (typeof success !== 'boolean') fail(at, '"success" must be true or false');
      if (!Array.isArray(events)) fail(at, '"events" must be a list');
      (events as unknown[]).forEach((e, k) => {
        const where = `${at}, event ${k}`;
        if (typeof e !== 'object' || e === null) fail(where, 'expected {write, variable, value, success}');
        const ev = e as Record<string, unknown>;
        for (const field of ['write', 'success'])
          if (typeof ev[field] !== 'boolean') fail(where, `"${field}" must be true or false`);
        for (const field of ['variable', 'value'])
          if (!Number.isInteger(ev[field])) fail(where, `"${field}" must be an integer`);
      });
    });
  });
  return data as DbcopHistory;
}

/** dbcop's initial value is 0 for every variable, and written values are unique and non-zero: a read of 0
 * reads the initial state, which faultline writes as null. */
const readValue = (e: DbcopEvent) => (!e.write && e.value === 0 ? null : e.value);

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
