// A key-value store: every key is an independent register (get/read, put/write, append, cas).
// Partitioned by key (P-compositionality) unless asked not to, as Porcupine's kvNoPartitionModel.
import type { Operation, Value } from '../history.ts';
import { canonicalKey, describeValue, sameValue } from './model.ts';
import type { Model, ModelOp, RegisterView } from './model.ts';

export interface KvOptions {
  /** Every key's value before any write. Default null; Porcupine's kv logs use "". */
  initial?: Value;
  /** false: the whole store is one state (Porcupine's kvNoPartitionModel). Default true. */
  partitioned?: boolean;
  /** Knossos semantics: an ok read of nil is a wildcard. */
  nilReadIsWildcard?: boolean;
}

function opKey(op: { key?: string }): string {
  return op.key ?? '';
}

function append(current: Value, suffix: Value): Value {
  if (Array.isArray(current)) return [...current, suffix];
  if (current === null && Array.isArray(suffix)) return suffix;
  return `${current === null ? '' : typeof current === 'string' ? current : JSON.stringify(current)}${typeof suffix === 'string' ? suffix : JSON.stringify(suffix)}`;
}

/** One key's register step; null when the op is illegal. */
function stepValue(value: Value, op: ModelOp, nilWildcard: boolean): Value | undefined {
  switch (op.f) {
    case 'get':
    case 'read':
      if (op.status !== 'ok' || (op.output === null && nilWildcard)) return value;
      return sameValue(op.output, value) ? value : undefined;
    case 'put':
    case 'write':
      return op.input;
    case 'append':
      return append(value, op.input);
    case 'cas': {
      if (!Array.isArray(op.input) || op.input.length !== 2) return undefined;
      return sameValue(value, op.input[0] ?? null) ? (op.input[1] ?? null) : undefined;
    }
    default:
      return undefined;
  }
}

const readFs = new Set(['get', 'read']);

function describeKvOp(op: ModelOp): string {
  const unknown = op.status === 'info' ? ' (outcome unknown)' : '';
  const f = op.key === undefined ? op.f : `${op.f}(${op.key})`;
  if (readFs.has(op.f)) return op.status === 'ok' ? `${f} -> ${describeValue(op.output)}` : `${f}${unknown}`;
  return `${f} ${describeValue(op.input)}${unknown}`;
}

export function kvModel(options: KvOptions = {}): Model<Value> | Model<StoreState> {
  const initial = options.initial ?? null;
  const nilWildcard = options.nilReadIsWildcard ?? false;
  return (options.partitioned ?? true) ? partitionedKv(initial, nilWildcard) : unpartitionedKv(initial, nilWildcard);
}

/** Porcupine's kvModel: each key checked on its own. */
function partitionedKv(initial: Value, nilWildcard: boolean): Model<Value> {
  const view = (op: Operation): RegisterView | null => {
    if (op.f === 'put' || op.f === 'write') return { kind: 'write', value: op.input };
    if (readFs.has(op.f)) {
      if (op.status !== 'ok' || (op.output === null && nilWildcard)) return { kind: 'wildcard-read' };
      return { kind: 'read', value: op.output };
    }
    return null;
  };
  return {
    name: 'kv',
    init: () => initial,
    step(state, op) {
      const next = stepValue(state, op, nilWildcard);
      return next === undefined ? [] : [next];
    },
    // Strings and numbers key themselves (a Map tells "1" from 1); anything else gets a \u0000 prefix.
    key: (s) => (typeof s === 'number' || typeof s === 'string' ? s : `\u0000${canonicalKey(s)}`),
    partition: opKey,
    readOnly: (op) => readFs.has(op.f),
    register: { initial, view },
    describeState: describeValue,
    describeOperation: describeKvOp,
  };
}

/** The whole store as one state: key index -> value id, both interned, so a state's key is a short string. */
interface StoreState {
  ids: readonly number[];
  key: string;
}

/**
 * Porcupine's kvNoPartitionModel. The intern tables only grow and never change what a state means, so the
 * model stays a pure function of its inputs.
 */
function unpartitionedKv(initial: Value, nilWildcard: boolean): Model<StoreState> {
  const keyIndex = new Map<string, number>();
  const keyNames: string[] = [];
  const valueIds = new Map<string, number>();
  const values: Value[] = [];
  const valueId = (v: Value): number => {
    const k = typeof v === 'string' ? v : `\u0000${canonicalKey(v)}`;
    let id = valueIds.get(k);
    if (id === undefined) {
      id = values.length;
      valueIds.set(k, id);
      values.push(v);
    }
    return id;
  };
  const initialId = valueId(initial);
  const indexOf = (k: string): number => {
    let i = keyIndex.get(k);
    if (i === undefined) {
      i = keyNames.length;
      keyIndex.set(k, i);
      keyNames.push(k);
    }
    return i;
  };
  const make = (ids: number[]): StoreState => ({ ids, key: ids.join(',') });
  return {
    name: 'kv',
    init: () => make([]),
    step(state, op) {
      const i = indexOf(op.key ?? '');
      const current = state.ids[i] ?? initialId;
      const next = stepValue(values[current] ?? null, op, nilWildcard);
      if (next === undefined) return [];
      if (readFs.has(op.f)) return [state];
      const nextId = valueId(next);
      if (nextId === current) return [state];
      const ids = state.ids.slice();
      while (ids.length < i) ids.push(initialId);
      ids[i] = nextId;
      return [make(ids)];
    },
    key: (state) => state.key,
    readOnly: (op) => readFs.has(op.f),
    describeState: (state) =>
      `{${state.ids.map((id, i) => `${keyNames[i] ?? ''}: ${describeValue(values[id] ?? null)}`).join(', ')}}`,
    describeOperation: describeKvOp,
  };
}
