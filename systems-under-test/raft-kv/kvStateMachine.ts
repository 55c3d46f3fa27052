// The replicated state machine: a map of keys to JSON values with read, write, compare-and-set and txn.
// Applying is deterministic, so every replica that applies the same committed log answers the same. A txn is
// one log entry applied in one step, so it is atomic and totally ordered with every other op: strict
// serializable (the log order is a serial order consistent with real time, as for single ops).

/** JSON, as the ops carry it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An operation as clients send it; the register workload has no key (it uses ''). */
export interface KvOp {
  f: string;
  key?: string;
  value: Json;
}

export type KvResult = { type: 'ok'; value: Json } | { type: 'fail'; error: string };

/** Checks an op's shape before it enters the log; returns why it is malformed, or undefined. */
export function invalidOp(op: unknown): string | undefined {
  if (typeof op !== 'object' || op === null) return 'op must be an object';
  const { f, key, value } = op as { f?: unknown; key?: unknown; value?: unknown };
  if (f !== 'read' && f !== 'write' && f !== 'cas' && f !== 'txn')
    return `unknown f ${JSON.stringify(f)}: expected read, write, cas or txn`;
  if (key !== undefined && typeof key !== 'string') return 'key must be a string';
  if (f === 'cas' && !(Array.isArray(value) && value.length === 2)) return 'cas value must be [from, to]';
  if (f === 'txn') return invalidTxn(value);
  return undefined;
}

/** A txn's value: micro-ops ["r", key, null] | ["append", key, v] | ["w", key, v] (list-append, rw-register). */
function invalidTxn(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'txn value must be a non-empty list of micro-ops';
  for (const [i, m] of value.entries()) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[1] !== 'string')
      return `txn micro-op ${i + 1} must be [f, key, value] with a string key, not ${JSON.stringify(m)}`;
    if (m[0] !== 'r' && m[0] !== 'append' && m[0] !== 'w')
      return `txn micro-op ${i + 1}: unknown f ${JSON.stringify(m[0])}: expected r, append or w`;
  }
  const fs = new Set((value as unknown[][]).map((m) => m[0]));
  if (fs.has('append') && fs.has('w')) return 'txn mixes append and w: a txn is list-append or rw-register, not both';
  return undefined;
}

type MicroOp = [f: 'r' | 'append' | 'w', key: string, value: Json];

// Canonical enough for the workloads' values (numbers, strings, short arrays): they never hold objects whose
// key order could differ.
const same = (a: Json | undefined, b: Json): boolean => JSON.stringify(a ?? null) === JSON.stringify(b);

export class KvStateMachine {
  private readonly _values = new Map<string, Json>();

  apply(op: KvOp): KvResult {
    const key = op.key ?? '';
    switch (op.f) {
      case 'read':
        return { type: 'ok', value: this._values.get(key) ?? null };
      case 'write':
        this._values.set(key, op.value);
        return { type: 'ok', value: op.value };
      case 'cas': {
        const [from, to] = op.value as [Json, Json];
        const current = this._values.get(key);
        if (!same(current, from))
          return { type: 'fail', error: `cas mismatch: value is ${JSON.stringify(current ?? null)}` };
        this._values.set(key, to);
        return { type: 'ok', value: op.value };
      }
      case 'txn':
        return this._applyTxn(op.value as MicroOp[]);
      default:
        return { type: 'fail', error: `unknown f ${op.f}` };
    }
  }

  // All or nothing: an append to a key holding a non-list fails the whole txn before anything changes.
  private _applyTxn(micro: readonly MicroOp[]): KvResult {
    for (const [f, key] of micro) {
      const current = this._values.get(key);
      if (f === 'append' && current !== undefined && current !== null && !Array.isArray(current))
        return { type: 'fail', error: `append to ${key}, which holds ${JSON.stringify(current)}, not a list` };
    }
    const out: Json[] = micro.map(([f, key, value]): Json => {
      if (f === 'r') return ['r', key, this._values.get(key) ?? null];
      if (f === 'w') this._values.set(key, value);
      // A fresh list per append: a list already returned by a read must not change under its reader.
      else this._values.set(key, [...((this._values.get(key) as Json[] | undefined) ?? []), value]);
      return [f, key, value];
    });
    return { type: 'ok', value: out };
  }
}
