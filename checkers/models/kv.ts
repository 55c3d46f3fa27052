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

/**
 * The whole store as one state: key index -> value id, both interned, packed two UTF-16 units per key (high
 * and low half of the id) into a string that is its own canonical key. Keys holding the initial value (id 0)
 * at the end are left out. One small string per state keeps millions of search states cheap to make, hash
 * and hold.
 */
type StoreState = string;

function valueIdAt(state: StoreState, i: number): number {
  return 2 * i + 1 < state.length ? (state.charCodeAt(2 * i) << 16) | state.charCodeAt(2 * i + 1) : 0;
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
  valueId(initial); // id 0
  const indexOf = (k: string): number => {
    let i = keyIndex.get(k);
    if (i === undefined) {
      i = keyNames.length;
      keyIndex.set(k, i);
      keyNames.push(k);
    }
    return i;
  };
  // (op, value id) -> next value id, -1 when illegal: a search steps the same op from the same key value in
  // many store states, and appending then re-interning a long string is the dear part of a step.
  const valueSteps = new WeakMap<ModelOp, Map<number, number>>();
  const stepValueId = (current: number, op: ModelOp): number => {
    let memo = valueSteps.get(op);
    if (memo === undefined) valueSteps.set(op, (memo = new Map<number, number>()));
    let nextId = memo.get(current);
    if (nextId === undefined) {
      const next = stepValue(values[current] ?? null, op, nilWildcard);
      nextId = next === undefined ? -1 : readFs.has(op.f) ? current : valueId(next);
      memo.set(current, nextId);
    }
    return nextId;
  };
  return {
    name: 'kv',
    init: () => '',
    step(state, op) {
      const i = indexOf(op.key ?? '');
      const current = valueIdAt(state, i);
      const nextId = stepValueId(current, op);
      if (nextId < 0) return [];
      if (nextId === current) return [state];
      const padded = state.length >= 2 * i ? state : state.padEnd(2 * i, '\u0000');
      let next = `${padded.slice(0, 2 * i)}${String.fromCharCode(nextId >>> 16, nextId & 0xffff)}${padded.slice(2 * i + 2)}`;
      let end = next.length;
      while (end >= 2 && next.charCodeAt(end - 1) === 0 && next.charCodeAt(end - 2) === 0) end -= 2;
      if (end < next.length) next = next.slice(0, end);
      return [next];
    },
    key: (state) => state,
    // An op reads and writes only its own key's register, so ops on different keys commute.
    commutationClass: opKey,
    readOnly: (op) => readFs.has(op.f),
    describeState: (state) => {
      const shown: string[] = [];
      for (let i = 0; 2 * i < state.length; i++) {
        shown.push(`${keyNames[i] ?? ''}: ${describeValue(values[valueIdAt(state, i)] ?? null)}`);
      }
      return `{${shown.join(', ')}}`;
    },
    describeOperation: describeKvOp,
  };
}
