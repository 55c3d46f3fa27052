// Transactions as the isolation checker sees them: each `txn` op's micro-ops with keys as strings, reads
// filled in only where the txn completed ok (a failed or indeterminate txn's reads returned nothing we know).
// Two shapes: list-append (Elle's `[append k v]` / `[r k list]`) and rw-register (`[w k v]` / `[r k v]`).
import type { Operation, Value } from '../history.ts';

export type MicroOp =
  | { f: 'append'; key: string; value: Value }
  | { f: 'w'; key: string; value: Value }
  /** value: the list (list-append) or register value read; null for the initial state or an unknown read. */
  | { f: 'r'; key: string; value: Value };

export interface Txn {
  /** Position in the checker's txn array (the graph's node id). */
  index: number;
  op: Operation;
  status: Operation['status'];
  process: number;
  micro: MicroOp[];
}

export type TxnShape = 'list-append' | 'rw-register';

export interface ParsedTxns {
  shape: TxnShape;
  txns: Txn[];
}

const numberKeys = new Map<number, string>();

/** EDN keys are numbers or keywords, faultline's are strings: one string form for both (numbers interned). */
export function keyString(k: Value): string {
  if (typeof k === 'string') return k;
  if (typeof k !== 'number') return JSON.stringify(k);
  let s = numberKeys.get(k);
  if (s === undefined) {
    if (numberKeys.size > 1_000_000) numberKeys.clear();
    numberKeys.set(k, (s = String(k)));
  }
  return s;
}

/** Txns of a history, or the reason this history is not one the isolation checker reads. */
export function parseTransactions(operations: readonly Operation[]): ParsedTxns | string {
  const txns: Txn[] = [];
  let appends = false;
  let writes = false;
  // A read that returned a scalar: with no writes nor appends, it says register.
  let scalarRead = false;
  for (const op of operations) {
    if (op.f !== 'txn')
      return `op ${op.invokeIndex} is a ${op.f}, not a txn: the isolation checker reads transactions only`;
    const body = op.status === 'ok' ? op.output : op.input;
    if (!Array.isArray(body)) return `op ${op.invokeIndex} is a txn without a list of micro-ops`;
    // Sized up front: a pushed-to array reserves 17 slots, a million txns of 4 micro-ops would carry 50 MB of
    // empty ones (and copy them through every young-generation collection).
    const micro = new Array<MicroOp>(body.length);
    for (let j = 0; j < body.length; j++) {
      const m = body[j]!;
      if (!Array.isArray(m) || m.length < 2 || typeof m[0] !== 'string')
        return `op ${op.invokeIndex} has a micro-op ${JSON.stringify(m)}; expected [f, key, value]`;
      const f = m[0];
      const key = keyString(m[1] ?? null);
      const value = m[2] ?? null;
      if (f === 'append') {
        appends = true;
        micro[j] = { f, key, value };
      } else if (f === 'w') {
        writes = true;
        micro[j] = { f, key, value };
      } else if (f === 'r') {
        micro[j] = { f, key, value: op.status === 'ok' ? value : null };
        if (op.status === 'ok' && value !== null && !Array.isArray(value)) scalarRead = true;
      } else
        return `op ${op.invokeIndex} has a micro-op ${JSON.stringify(m)}: only r, append (list-append) and w (rw-register) are understood`;
    }
    txns.push({ index: txns.length, op, status: op.status, process: op.process, micro });
  }
  if (appends && writes) return 'the history mixes list appends and register writes; check one workload at a time';
  // Reads only: a scalar read value says register, a list says list-append.
  return { shape: writes || (!appends && scalarRead) ? 'rw-register' : 'list-append', txns };
}

/** A micro-op as Elle writes it: "append 3 to 256", "read 255 = [2 3 4]". */
export function showMicro(m: MicroOp): string {
  if (m.f === 'append') return `append ${JSON.stringify(m.value)} to ${m.key}`;
  if (m.f === 'w') return `write ${m.key} = ${JSON.stringify(m.value)}`;
  return `read ${m.key} = ${showRead(m.value)}`;
}

function showRead(v: Value): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(' ')}]`;
  return JSON.stringify(v);
}

/** "T3 (process 2, op 4: append 256 4, read 255 = [2 3 4 5 8])": the txn as it was recorded. */
export function showTxn(t: Txn): string {
  return `T${t.index} (process ${t.process}, ${t.status} op ${t.op.invokeIndex}: ${t.micro.map(showMicro).join(', ')})`;
}

/** Primitive identity of an element or register value, for Map keys. */
export function valueId(v: Value): string | number {
  return typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v);
}
