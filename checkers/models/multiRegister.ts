// Knossos' multi-register: `txn` ops whose value is a list of [read k v] / [write k v] micro-ops, applied
// atomically to a map of registers.
import type { Operation, Value } from '../history.ts';
import { canonicalKey, describeValue, sameValue } from './model.ts';
import type { Model, ModelOp } from './model.ts';

export interface MultiRegisterOptions {
  /** Registers before any write, e.g. { x: 0, y: 0 }; registers not named start at null. */
  initial?: { [register: string]: Value };
  /** Knossos semantics (the default here): a read of nil is a wildcard. */
  nilReadIsWildcard?: boolean;
}

type Registers = { [register: string]: Value };

function microOps(v: Value): Array<[string, string, Value]> | null {
  if (!Array.isArray(v)) return null;
  const out: Array<[string, string, Value]> = [];
  for (const m of v) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string') return null;
    out.push([m[0], typeof m[1] === 'string' ? m[1] : canonicalKey(m[1] ?? null), m[2] ?? null]);
  }
  return out;
}

export function multiRegisterModel(options: MultiRegisterOptions = {}): Model<Registers> {
  const initial = options.initial ?? {};
  const nilWildcard = options.nilReadIsWildcard ?? true;
  return {
    name: 'multi-register',
    init: () => initial,
    step(state, op) {
      if (op.f !== 'txn') return [];
      // A completed txn's value carries what its reads returned; an indeterminate one only its writes.
      const ops = microOps(op.status === 'ok' ? op.output : op.input);
      if (ops === null) return [];
      let next: Registers = state;
      for (const [f, k, v] of ops) {
        if (f === 'read') {
          if (op.status !== 'ok' || (v === null && nilWildcard)) continue;
          if (!sameValue(next[k] ?? null, v)) return [];
        } else if (f === 'write') {
          if (next === state) next = { ...state };
          next[k] = v;
        } else {
          return [];
        }
      }
      return [next];
    },
    key: canonicalKey,
    readOnly: (op: Operation) => (microOps(op.input) ?? []).every(([f]) => f === 'read'),
    describeState: (s) =>
      Object.keys(s)
        .sort()
        .map((k) => `${k}=${describeValue(s[k] ?? null)}`)
        .join(' '),
    describeOperation: (op: ModelOp) => {
      const ops = microOps(op.status === 'ok' ? op.output : op.input) ?? [];
      const body = ops.map(([f, k, v]) => (f === 'read' && v === null ? `r ${k}` : `${f[0]} ${k} ${describeValue(v)}`));
      return `txn [${body.join(', ')}]${op.status === 'info' ? ' (outcome unknown)' : ''}`;
    },
  };
}
