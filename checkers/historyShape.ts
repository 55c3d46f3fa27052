// What kind of history the checkers are given, so each history goes only to checkers that can judge it.
// Knossos' multi-register writes transactions of [read k v] / [write k v] micro-ops and records real time: a
// linearizable multi-register judges it. Elle (list-append, rw-register), dbcop and Plume write transactions of
// [r k v] / [w k v] / [append k v] micro-ops: those are judged for transactional isolation, never as a
// multi-register.
import type { Operation } from './history.ts';

/** What the analysis knows of a history beyond its ops. */
export interface HistoryShape {
  /**
   * Whether op times order the ops in real time. False for formats that record only each session's order
   * (dbcop, Plume): no real-time model (linearizability) can be judged on them.
   */
  realTime: boolean;
}

/** Micro-op names of Knossos' multi-register transactions; any other name makes a transactional history. */
const multiRegisterMicroOps = new Set(['read', 'write']);

/** The first op that is a transaction of Elle / dbcop / Plume micro-ops, if any. */
export function firstTransactionalOp(operations: readonly Operation[]): Operation | undefined {
  return operations.find((op) => {
    if (op.f !== 'txn') return false;
    const body = op.status === 'ok' ? op.output : op.input;
    if (!Array.isArray(body)) return false;
    return body.some((m) => Array.isArray(m) && typeof m[0] === 'string' && !multiRegisterMicroOps.has(m[0]));
  });
}

/** Whether the history holds transactions (Elle list-append / rw-register, dbcop, Plume). */
export function isTransactionalHistory(operations: readonly Operation[]): boolean {
  return firstTransactionalOp(operations) !== undefined;
}

/**
 * The op functions each built-in linearizability model understands. An op of another function (e.g. `explode`)
 * cannot be judged: the model would reject it and a violation would be reported where nothing is known.
 */
export const modelFunctions: Readonly<Record<string, readonly string[]>> = {
  register: ['read', 'write'],
  'cas-register': ['read', 'write', 'cas'],
  kv: ['get', 'read', 'put', 'write', 'append', 'cas'],
  'multi-register': ['txn'],
  mutex: ['acquire', 'release'],
  set: ['add', 'read'],
  queue: ['enqueue', 'dequeue'],
};

/** The first op (not failed) whose function the named model does not know; undefined for models not listed. */
export function firstUnknownFunction(model: string, operations: readonly Operation[]): Operation | undefined {
  const known = modelFunctions[model];
  if (known === undefined) return undefined;
  return operations.find((op) => op.status !== 'fail' && !known.includes(op.f));
}
