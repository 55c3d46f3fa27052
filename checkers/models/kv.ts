// A key-value store: every key is an independent register (get/read, put/write, append, cas).
// Partitioned by key (P-compositionality) unless asked not to, as Porcupine's kvNoPartitionModel.
import type { Operation, Value } from '../history.ts';
import { canonicalKey, describeValue, sameValue } from './model.ts';
import type { CellAccess, Model, ModelOp, RegisterView } from './model.ts';
import { registerAccess } from './register.ts';
import { createValueTable, prefixFingerprints } from './values.ts';
import type { Suffix, ValueTable } from './values.ts';

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

export function kvModel(options: KvOptions = {}): Model<number> | Model<StoreState> {
  const initial = options.initial ?? null;
  const nilWildcard = options.nilReadIsWildcard ?? false;
  return (options.partitioned ?? true) ? partitionedKv(initial, nilWildcard) : unpartitionedKv(initial, nilWildcard);
}

/** Each key is a cell; an append makes its key's ops stay as they are. */
function kvCellAccess(nilWildcard: boolean): (op: Operation) => CellAccess {
  const byKey = new Map<string, (op: Operation) => CellAccess>();
  return (op) => {
    const key = opKey(op);
    let access = byKey.get(key);
    if (access === undefined) byKey.set(key, (access = registerAccess(nilWildcard, key)));
    return access(op);
  };
}

/** Porcupine's kvModel: each key checked on its own. */
function partitionedKv(initial: Value, nilWildcard: boolean): Model<number> {
  const cellAccess = kvCellAccess(nilWildcard);
  const view = (op: Operation): RegisterView | null => {
    if (op.f === 'put' || op.f === 'write') return { kind: 'write', value: op.input };
    if (readFs.has(op.f)) {
      if (op.status !== 'ok' || (op.output === null && nilWildcard)) return { kind: 'wildcard-read' };
      return { kind: 'read', value: op.output };
    }
    return null;
  };
  // A state is a value id (values.ts): a new appended string costs O(suffix), not a copy and a full hash.
  const table = createValueTable();
  const initialId = table.idOf(initial);
  const nullId = table.idOf(null);
  const plans = new WeakMap<ModelOp, Plan>();
  const planOf = (op: ModelOp): Plan => {
    let plan = plans.get(op);
    if (plan === undefined) plans.set(op, (plan = makePlan(table, op, nilWildcard)));
    return plan;
  };
  return {
    name: 'kv',
    init: () => initialId,
    step(state, op) {
      const plan = planOf(op);
      switch (plan.kind) {
        case 'any':
          return [state];
        case 'read':
          return plan.id === state ? [state] : [];
        case 'write':
          return [plan.id];
        case 'cas':
          return plan.from === state ? [plan.to] : [];
        case 'append': {
          // '' + suffix when nil: append() treats a nil current value as the empty string.
          const next =
            state === nullId && plan.suffix !== null
              ? table.idOf(plan.suffix.text)
              : plan.suffix !== null
                ? table.appendString(state, plan.suffix)
                : -1;
          return [next >= 0 ? next : table.idOf(append(table.value(state), plan.input))];
        }
        case 'illegal':
          return [];
      }
    },
    key: (s) => s,
    // Measured on Porcupine's kv logs: list order explores a third of the configurations of urgent order
    // (c50-ok key 4: 62k vs 185k), and a step on value ids is cheaper than the step memo's lookup.
    search: {
      order: 'list',
      memoiseSteps: false,
      nextOp(ops) {
        const next = appendsReadInOrder(ops, initial);
        return {
          after: (state) => {
            const f = table.fingerprint(state);
            return f >= 0 ? (next.after.get(f) ?? -1) : state === initialId ? next.fromInitial : -1;
          },
        };
      },
    },
    partition: opKey,
    readOnly: (op) => readFs.has(op.f),
    register: { initial, view },
    cells: { initial, access: (op) => cellAccess(op) },
    describeState: (s) => describeValue(table.value(s)),
    describeOperation: describeKvOp,
  };
}

/**
 * Which append came next after which value, as the reads' values spell it out: a read of "x 1 yx 2 y" after
 * put "x 1 y" and append "x 2 y" says the append followed the put's value. Keyed by the earlier value's
 * fingerprint (values.ts). The longest values read say it all: each is split into the put (or the initial
 * value) it starts with and the appends after it. A guess for the search's order only: an ambiguous split
 * takes the first match, and a value no split explains is passed over.
 */
function appendsReadInOrder(
  ops: readonly Operation[],
  initial: Value,
): { fromInitial: number; after: Map<number, number> } {
  const appended = new Map<string, number>();
  const put = new Map<string, number>();
  const reads = new Set<string>();
  ops.forEach((op, i) => {
    if (op.f === 'append' && typeof op.input === 'string' && op.input !== '') appended.set(op.input, i);
    else if ((op.f === 'put' || op.f === 'write') && typeof op.input === 'string') put.set(op.input, i);
    else if (readFs.has(op.f) && op.status === 'ok' && typeof op.output === 'string') reads.add(op.output);
  });
  const lengths = [...new Set([...appended.keys()].map((t) => t.length))];
  const putLengths = [...new Set([...put.keys()].map((t) => t.length))];
  const after = new Map<number, number>();
  let fromInitial = -1;
  // In sorted order a value that is a prefix of another is followed by one that starts with it.
  const sorted = [...reads].sort();
  sorted.forEach((value, k) => {
    if (sorted[k + 1]?.startsWith(value) === true) return;
    let at = -1;
    const base = putLengths.find((l) => put.has(value.slice(0, l)));
    if (base !== undefined) at = base;
    else if (typeof initial === 'string' && value.startsWith(initial)) at = initial.length;
    else if (initial === null) at = 0;
    if (at < 0) return;
    const ends: number[] = [];
    const following: number[] = [];
    while (at < value.length) {
      const length = lengths.find((l) => appended.has(value.slice(at, at + l)));
      if (length === undefined) break;
      ends.push(at);
      following.push(appended.get(value.slice(at, at + length))!);
      at += length;
    }
    if (ends[0] === 0 && initial === null && base === undefined) fromInitial = following[0]!;
    prefixFingerprints(value, ends).forEach((f, j) => after.set(f, following[j]!));
  });
  return { fromInitial, after };
}

/** What an op does to a value id, worked out once per op. */
type Plan =
  | { kind: 'any' }
  | { kind: 'read'; id: number }
  | { kind: 'write'; id: number }
  | { kind: 'cas'; from: number; to: number }
  /** suffix: the appended text when appending to a string makes a string; null for a list append. */
  | { kind: 'append'; input: Value; suffix: Suffix | null }
  | { kind: 'illegal' };

function makePlan(table: ValueTable, op: ModelOp, nilWildcard: boolean): Plan {
  switch (op.f) {
    case 'get':
    case 'read':
      if (op.status !== 'ok' || (op.output === null && nilWildcard)) return { kind: 'any' };
      return { kind: 'read', id: table.idOf(op.output) };
    case 'put':
    case 'write':
      return { kind: 'write', id: table.idOf(op.input) };
    case 'append':
      return {
        kind: 'append',
        input: op.input,
        suffix: Array.isArray(op.input)
          ? null
          : table.suffix(typeof op.input === 'string' ? op.input : JSON.stringify(op.input)),
      };
    case 'cas':
      if (!Array.isArray(op.input) || op.input.length !== 2) return { kind: 'illegal' };
      return { kind: 'cas', from: table.idOf(op.input[0] ?? null), to: table.idOf(op.input[1] ?? null) };
    default:
      return { kind: 'illegal' };
  }
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
  const cellAccess = kvCellAccess(nilWildcard);
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
    cells: { initial, access: (op) => cellAccess(op) },
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
