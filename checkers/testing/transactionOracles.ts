// Brute-force isolation oracles for small txn histories, straight from the definitions, for the differential
// tests of the transactional checker (list-append and rw-register alike), and those txns as a history.
// Exponential: a handful of txns.
// - serializable: some serial order of the txns explains every read (strong session serializable: one that
//   keeps each process's order; strict: one that keeps real time);
// - snapshot isolation: some sequence of start and commit points explains every read from the committed
//   state at the txn's start, with no two overlapping txns writing one key (first committer wins).
import { pairOperations, type HistoryOp, type Operation, type Value } from '../history.ts';
import { permutations } from './permutations.ts';

export interface OracleTxn {
  process: number;
  /** Invocation and completion times; a txn that never completed returns at Infinity. */
  call: number;
  ret: number;
}

/** Micro-ops `[f, key, value]`: a read's value is what it returned. */
export interface TimedTxn extends OracleTxn {
  micro: readonly (readonly [string, string, Value])[];
  /** Default ok. */
  status?: 'ok' | 'info' | 'fail';
}

/** Each txn invoked at 2·call with its reads unknown and completed at 2·ret + 1 (reads filled in when ok). */
export function timedTxnOperations(txns: readonly TimedTxn[]): Operation[] {
  const events: Omit<HistoryOp, 'index'>[] = [];
  for (const t of txns) {
    const invoke = t.micro.map((m): Value => (m[0] === 'r' ? ['r', m[1], null] : [...m]));
    events.push({ time: 2 * t.call, type: 'invoke', process: t.process, f: 'txn', value: invoke });
    const status = t.status ?? 'ok';
    const value = status === 'ok' ? t.micro.map((m): Value => [...m]) : invoke;
    events.push({ time: 2 * t.ret + 1, type: status, process: t.process, f: 'txn', value });
  }
  events.sort((a, b) => a.time - b.time);
  return pairOperations(events.map((e, index) => ({ ...e, index })));
}

/**
 * What a workload's micro-ops do. `run` runs the txn on `state`, replacing a key's value rather than changing
 * it in place (a snapshot is a shallow copy), and says whether every read returned what the txn recorded.
 */
export interface TxnSemantics<T extends OracleTxn, V> {
  run(t: T, state: Map<string, V>): boolean;
  /** The keys the txn writes. */
  writes(t: T): ReadonlySet<string>;
}

export function serialByBruteForce<T extends OracleTxn, V>(
  txns: readonly T[],
  respect: 'none' | 'process' | 'realtime',
  semantics: TxnSemantics<T, V>,
): boolean {
  for (const order of permutations(txns.length)) {
    const at = new Map(order.map((t, i) => [t, i]));
    const fits = txns.every((a, i) =>
      txns.every((b, j) => {
        if (i === j) return true;
        const before =
          respect === 'realtime' ? a.ret < b.call : respect === 'process' && a.process === b.process && a.call < b.call;
        return !before || at.get(i)! < at.get(j)!;
      }),
    );
    if (!fits) continue;
    const state = new Map<string, V>();
    if (order.every((i) => semantics.run(txns[i]!, state))) return true;
  }
  return false;
}

export function snapshotByBruteForce<T extends OracleTxn, V>(
  txns: readonly T[],
  semantics: TxnSemantics<T, V>,
): boolean {
  const n = txns.length;
  const writes = txns.map((t) => semantics.writes(t));
  // Events 0..n-1 start txn i, n..2n-1 commit txn i; a valid sequence starts each txn before committing it.
  for (const seq of permutations(2 * n)) {
    const pos = new Map(seq.map((e, i) => [e, i]));
    if (txns.some((_, i) => pos.get(i)! > pos.get(n + i)!)) continue;
    let ok = true;
    for (let i = 0; i < n && ok; i++)
      for (let j = i + 1; j < n && ok; j++) {
        const overlap = pos.get(i)! < pos.get(n + j)! && pos.get(j)! < pos.get(n + i)!;
        if (overlap && [...writes[i]!].some((k) => writes[j]!.has(k))) ok = false;
      }
    if (!ok) continue;
    // First committer wins, so no other write of a key the txn writes commits between its start and its
    // commit: the txn's own final values are what it commits.
    const committed = new Map<string, V>();
    const snapshots: Map<string, V>[] = [];
    for (const e of seq) {
      if (e < n) {
        snapshots[e] = new Map(committed);
        continue;
      }
      const local = snapshots[e - n]!;
      if (!semantics.run(txns[e - n]!, local)) {
        ok = false;
        break;
      }
      for (const k of writes[e - n]!) committed.set(k, local.get(k)!);
    }
    if (ok) return true;
  }
  return false;
}
