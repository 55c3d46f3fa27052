// A sequential specification for the linearizability checker, Porcupine style: plain data plus pure
// functions. Only `init` and `step` are required; the rest have defaults.
import type { Operation, Value } from '../history.ts';

/** What a model sees of one operation. */
export interface ModelOp {
  f: string;
  /** The invoke's value (what a write wrote, a CAS's [from, to]). */
  input: Value;
  /** The completion's value (what a read returned). Meaningless when `status` is not ok. */
  output: Value;
  /**
   * ok: it happened with this output. info: it may have happened with any output (step must accept any).
   * fail: only reaches `step` when the model's `includes` admits failed ops (e.g. a CAS that returned false).
   */
  status: 'ok' | 'info' | 'fail';
  /** The key a multi-key op touches (Operation.key). */
  key?: string;
}

/** The JSON-able name and options a registered model is built from; how a model travels to a worker thread. */
export interface ModelSpec {
  name: string;
  options?: { [option: string]: Value };
}

/**
 * For register-like ops: what the unique-value algorithm (checking.md §1.5) needs to know. Returning null
 * for any op of a partition sends that partition to the general search.
 */
export type RegisterView = { kind: 'read'; value: Value } | { kind: 'write'; value: Value } | { kind: 'wildcard-read' };

/**
 * How an op touches one register cell (a key of a store; '' for a lone register), so the checker can settle
 * indeterminate ops up front (checking.md §1.7.3). 'write' and 'cas' set the cell (a cas only from `from`);
 * 'read' observes `value`; 'none' observes nothing (an indeterminate or wildcard read); 'other' touches the
 * cell some other way (an append, a CAS that returned false), which leaves that cell's ops as they are.
 */
export type CellAccess =
  | { cell: string; kind: 'read'; value: Value }
  | { cell: string; kind: 'write'; value: Value }
  | { cell: string; kind: 'cas'; from: Value; to: Value }
  | { cell: string; kind: 'none' | 'other' };

/**
 * How an op touches a grow-only set (model.members): adds an element, reads the members (an ok read's
 * elements; none for a read that returned nothing usable), or something else. Elements are canonical keys.
 */
export type MemberAccess =
  | { set: string; kind: 'add'; element: string | number }
  | { set: string; kind: 'read'; elements: readonly (string | number)[] }
  | { set: string; kind: 'other' };

export interface Model<S = unknown> {
  /** Registry name, e.g. cas-register. */
  name: string;
  /** Set by the registry; lets the checker rebuild this model in a worker thread. Custom models run in-thread. */
  spec?: ModelSpec;
  init(): S;
  /**
   * Every state the op can lead to from `state` (several for a non-deterministic model); empty when the op is
   * illegal there. Must be pure: never mutate `state`.
   */
  step(state: S, op: ModelOp): S[];
  /** A canonical primitive per state: equal states, equal keys. Default: JSON.stringify. */
  key?(state: S): string | number;
  /** P-compositionality: ops with different partition keys are checked apart. Default: one partition. */
  partition?(op: Operation): string;
  /** Whether an op takes part in the check at all. Default: ok and info ops (fail = it did not happen). */
  includes?(op: Operation): boolean;
  /**
   * Ops that change the state in NO state (reads, a CAS that returned false). An indeterminate one carries
   * no information and is dropped up front; an ok one is placed eagerly by the search.
   */
  readOnly?(op: Operation): boolean;
  /**
   * Declared independence, used inside ONE search over the whole state (the history is not split): the
   * state is made of one part per class, and an op's legality and effect depend only on its own class's
   * part and change no other part. Ops of different classes then commute, so the search tries them in one
   * order only (partial-order reduction) and, when one class's part cannot be completed, skips the
   * alternatives of other classes' steps (backjumping). Must return a class for every op. Example: the
   * unpartitioned kv store, one class per key.
   */
  commutationClass?(op: Operation): string;
  /** Tuning for the WGL search (checking.md §1.3); none changes a verdict. */
  search?: SearchHints<S>;
  /** When set, the unique-value fast path is tried: the initial value and each op's read/write view. */
  register?: { initial: Value; view: (op: Operation) => RegisterView | null };
  /**
   * When set, indeterminate writes are settled before the search: one whose value nothing observes is
   * dropped, one whose value was written by it alone is bounded by its first observer. null for an op whose
   * cell is unknown: then nothing is settled. Only for models where a cell's state is exactly the last value written to it.
   */
  cells?: { initial: Value; access: (op: Operation) => CellAccess | null };
  /**
   * When set, indeterminate adds are settled before the search: one whose element no ok read returns is
   * dropped, the only add of an element is bounded by its first reader. null for an op whose set is unknown:
   * then nothing is settled. Only for grow-only sets, where a read returns every member added before it.
   */
  members?: { access: (op: Operation) => MemberAccess | null };
  describeState?(state: S): string;
  describeOperation?(op: ModelOp): string;
}

export interface SearchHints<S = unknown> {
  /**
   * Candidate order in each configuration. 'urgent' (default): the op of the first return first, then the
   * rest in list order, so a wrong guess dies at once (fewest configurations on the etcd logs). 'list':
   * Porcupine's plain list order, which explores about a third as many on its appending kv logs.
   */
  order?: 'urgent' | 'list';
  /**
   * Default true: memoise (state, op) -> next state while that hits. false when a step costs no more than
   * the lookup, e.g. states that are interned ids.
   */
  memoiseSteps?: boolean;
  /**
   * Given one search's ops (in its numbering), a guess of the op that comes next from a state: its index in
   * `ops`, or -1. In each configuration the guess is tried first when it is a candidate, then the others in
   * the order above. Only an order, so a wrong guess costs time, never a verdict. E.g. the kv model reads,
   * from the values its reads returned, which append followed which.
   */
  nextOp?(ops: readonly Operation[]): NextOpGuess<S>;
}

/** SearchHints.nextOp's guess for one search (methods, so a Model<number> is still a Model). */
export interface NextOpGuess<S> {
  after(state: S): number;
}

/** Default: ok and info ops take part; failed ops did not happen (Knossos semantics). */
export function modelIncludes(model: Model, op: Operation): boolean {
  if (model.includes !== undefined) return model.includes(op);
  return op.status !== 'fail';
}

export function describeValue(v: Value): string {
  if (v === null) return 'nil';
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
}

export function describeModelState<S>(model: Model<S>, state: S): string {
  return model.describeState !== undefined ? model.describeState(state) : describeValue(state as Value);
}

export function describeModelOp(model: Model, op: ModelOp): string {
  if (model.describeOperation !== undefined) return model.describeOperation(op);
  const out = op.status === 'ok' && op.output !== op.input ? ` -> ${describeValue(op.output)}` : '';
  const inp = op.input === null ? '' : ` ${describeValue(op.input)}`;
  return `${op.f}${inp}${out}${op.status === 'info' ? ' (outcome unknown)' : ''}`;
}

export function modelOpOf(op: Operation): ModelOp {
  const m: ModelOp = { f: op.f, input: op.input, output: op.output, status: op.status };
  if (op.key !== undefined) m.key = op.key;
  return m;
}

/** A canonical string for any JSON value (object keys sorted), for state keys and value identity. */
export function canonicalKey(v: Value): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalKey).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalKey(v[k] ?? null)}`).join(',')}}`;
}

/** Deep equality of JSON values. */
export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return canonicalKey(a) === canonicalKey(b);
}
