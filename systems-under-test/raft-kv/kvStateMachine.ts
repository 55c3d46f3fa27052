// The replicated state machine: a map of keys to JSON values with read, write and compare-and-set.
// Applying is deterministic, so every replica that applies the same committed log answers the same.

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
  if (f !== 'read' && f !== 'write' && f !== 'cas')
    return `unknown f ${JSON.stringify(f)}: expected read, write or cas`;
  if (key !== undefined && typeof key !== 'string') return 'key must be a string';
  if (f === 'cas' && !(Array.isArray(value) && value.length === 2)) return 'cas value must be [from, to]';
  return undefined;
}

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
      default:
        return { type: 'fail', error: `unknown f ${op.f}` };
    }
  }
}
