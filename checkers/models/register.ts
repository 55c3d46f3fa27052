// Single registers: read/write, and read/write/compare-and-set.
import type { Operation, Value } from '../history.ts';
import { canonicalKey, describeValue, sameValue } from './model.ts';
import type { CellAccess, Model, ModelOp, RegisterView } from './model.ts';

export interface RegisterOptions {
  /** The value before any write. Default null (empty). */
  initial?: Value;
  /** Knossos semantics: an ok read that returned nil is a wildcard (Jepsen logs timed-out reads so). */
  nilReadIsWildcard?: boolean;
  /**
   * Porcupine's etcd semantics: a failed CAS took effect as a CAS that returned false, so it must be placed
   * where the register did not hold `from`. Knossos (the default) drops failed ops.
   */
  failedCasReturnsFalse?: boolean;
}

/** Strings and numbers key themselves (a Map tells "1" from 1); anything else gets a \u0000 prefix. */
export function stateKey(state: Value): string | number {
  return typeof state === 'number' || typeof state === 'string' ? state : `\u0000${canonicalKey(state)}`;
}

function readLegal(state: Value, op: ModelOp, nilWildcard: boolean): boolean {
  if (op.status !== 'ok') return true;
  if (op.output === null && nilWildcard) return true;
  return sameValue(op.output, state);
}

function casArgs(input: Value): [Value, Value] | null {
  if (!Array.isArray(input) || input.length !== 2) return null;
  return [input[0] ?? null, input[1] ?? null];
}

function registerView(nilWildcard: boolean) {
  return (op: Operation): RegisterView | null => {
    if (op.f === 'write') return { kind: 'write', value: op.input };
    if (op.f === 'read') {
      if (op.status !== 'ok' || (op.output === null && nilWildcard)) return { kind: 'wildcard-read' };
      return { kind: 'read', value: op.output };
    }
    return null;
  };
}

/** The lone register's cell access (model.cells); a CAS that returned false observes only "not from". */
export function registerAccess(nilWildcard: boolean, cell = '') {
  return (op: Operation): CellAccess => {
    switch (op.f) {
      case 'read':
      case 'get':
        if (op.status !== 'ok' || (op.output === null && nilWildcard)) return { cell, kind: 'none' };
        return { cell, kind: 'read', value: op.output };
      case 'write':
      case 'put':
        return { cell, kind: 'write', value: op.input };
      case 'cas': {
        const args = casArgs(op.input);
        if (args === null || op.status === 'fail') return { cell, kind: 'other' };
        return { cell, kind: 'cas', from: args[0], to: args[1] };
      }
      default:
        return { cell, kind: 'other' };
    }
  };
}

function describeRegisterOp(op: ModelOp): string {
  const unknown = op.status === 'info' ? ' (outcome unknown)' : '';
  switch (op.f) {
    case 'read':
      return op.status === 'ok' ? `read ${describeValue(op.output)}` : `read${unknown}`;
    case 'write':
      return `write ${describeValue(op.input)}${unknown}`;
    case 'cas': {
      const args = casArgs(op.input);
      const what = args === null ? describeValue(op.input) : `${describeValue(args[0])} -> ${describeValue(args[1])}`;
      return `cas ${what}${op.status === 'fail' ? ' (returned false)' : unknown}`;
    }
    default:
      return `${op.f} ${describeValue(op.input)}${unknown}`;
  }
}

/** A read/write register. */
export function registerModel(options: RegisterOptions = {}): Model<Value> {
  const initial = options.initial ?? null;
  const nilWildcard = options.nilReadIsWildcard ?? false;
  return {
    name: 'register',
    init: () => initial,
    step(state, op) {
      if (op.f === 'read') return readLegal(state, op, nilWildcard) ? [state] : [];
      if (op.f === 'write') return [op.input];
      return [];
    },
    key: stateKey,
    readOnly: (op) => op.f === 'read',
    register: { initial, view: registerView(nilWildcard) },
    cells: { initial, access: registerAccess(nilWildcard) },
    describeState: describeValue,
    describeOperation: describeRegisterOp,
  };
}

/** A register with compare-and-set: `cas` takes [from, to] and succeeds iff the register holds `from`. */
export function casRegisterModel(options: RegisterOptions = {}): Model<Value> {
  const initial = options.initial ?? null;
  const nilWildcard = options.nilReadIsWildcard ?? false;
  const failedCas = options.failedCasReturnsFalse ?? false;
  return {
    name: 'cas-register',
    init: () => initial,
    step(state, op) {
      switch (op.f) {
        case 'read':
          return readLegal(state, op, nilWildcard) ? [state] : [];
        case 'write':
          return [op.input];
        case 'cas': {
          const args = casArgs(op.input);
          if (args === null) return [];
          const holds = sameValue(state, args[0]);
          if (op.status === 'fail') return holds ? [] : [state];
          // An indeterminate CAS that would fail here is simply not placed here: "failed" and "never
          // happened" are the same for it, and never happening is already allowed (Knossos).
          return holds ? [args[1]] : [];
        }
        default:
          return [];
      }
    },
    key: stateKey,
    includes: (op) => op.status !== 'fail' || (failedCas && op.f === 'cas'),
    readOnly: (op) => op.f === 'read' || (op.f === 'cas' && op.status === 'fail'),
    register: { initial, view: registerView(nilWildcard) },
    cells: { initial, access: registerAccess(nilWildcard) },
    describeState: describeValue,
    describeOperation: describeRegisterOp,
  };
}
