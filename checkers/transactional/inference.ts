// What both workloads' inference produces: anomalies that need no cycle, the dependency edges, and for
// each key the version order the explanations cite. Process and realtime edges are the same for both.
import type { Value } from '../history.ts';
import { EdgeList, PROCESS, REALTIME } from './dependencyGraph.ts';
import type { Txn } from './transactions.ts';

export interface TxnAnomaly {
  type: string;
  /** Txn indices, in the order the explanation names them. */
  txns: number[];
  key?: string;
  element?: Value;
  /** Index of the micro-op at fault in the first txn. */
  micro?: number;
  explanation: string;
}

export interface Inference {
  anomalies: TxnAnomaly[];
  edges: EdgeList;
  /** Why edge `id` of `list` (the inferred edges, or a copy keeping their keys) exists, in words. */
  explainEdge(list: EdgeList, id: number): string;
  /** A reason the history cannot be judged at all (e.g. duplicate appends), or undefined. */
  unjudgeable?: string;
  /** Each ok txn's external read of a key, for the axiomatic weak levels. */
  forEachRead(visit: (read: ObservedRead) => void): void;
  /** Whether a read of txn `reader` before micro-op `beforeMicro` observed a write of txn `writer`. */
  saw(reader: number, writer: number, beforeMicro: number): boolean;
  /**
   * Write-read visibility as a DAG over the txns (nodes 0..n-1) and `extraNodes` helper nodes after them
   * (list-append: one node per version of a key, so a read of a long list costs one edge, not one per element).
   */
  visibility(add: (from: number, to: number) => void): { extraNodes: number };
}

export interface ObservedRead {
  txn: number;
  micro: number;
  key: string;
  /** The txn whose write (the last element, or the value) was read; -1 for the initial state. */
  from: number;
  /** Committed txns that wrote the key and whose write this read did not observe. */
  missed: number[];
  /** list-append: a missed write is after the read version, so requiring it before `from` is a contradiction. */
  missedAreLater: boolean;
}

/** The inference of a history that cannot be judged: the anomalies found so far, and no edges to explain. */
export function unjudgeableInference(unjudgeable: string, anomalies: TxnAnomaly[], edges: EdgeList): Inference {
  return {
    anomalies,
    edges,
    explainEdge: () => '',
    unjudgeable,
    forEachRead: () => {},
    saw: () => false,
    visibility: () => ({ extraNodes: 0 }),
  };
}

/** Txns that took effect or may have: ok and info. A failed txn has no dependencies. */
export const committed = (t: Txn): boolean => t.status !== 'fail';

/**
 * Committed txns in invoke order. Invoke indices are distinct history positions, so a table indexed by them
 * orders a million txns without a comparison sort; a history that repeats one falls back to a stable sort.
 */
export function committedByInvoke(txns: readonly Txn[]): Txn[] {
  let last = -1;
  for (const t of txns) if (t.op.invokeIndex > last) last = t.op.invokeIndex;
  const at = new Int32Array(last + 1).fill(-1);
  let count = 0;
  for (const t of txns) {
    if (!committed(t)) continue;
    const i = t.op.invokeIndex;
    if (i < 0 || at[i] !== -1) return txns.filter(committed).sort((a, b) => a.op.invokeIndex - b.op.invokeIndex);
    at[i] = t.index;
    count++;
  }
  const out = new Array<Txn>(count);
  let k = 0;
  for (const i of at) if (i !== -1) out[k++] = txns[i]!;
  return out;
}

/** Consecutive committed txns of each process, in invoke order. */
export function addProcessEdges(txns: readonly Txn[], edges: EdgeList): void {
  const last = new Map<number, number>();
  for (const t of committedByInvoke(txns)) {
    const prev = last.get(t.process);
    if (prev !== undefined) edges.add(prev, t.index, PROCESS);
    last.set(t.process, t.index);
  }
}

/** The words for a process or realtime edge (list-append and rw-register both add them); undefined for data edges. */
export function explainOrderEdge(txns: readonly Txn[], list: EdgeList, id: number): string | undefined {
  const a = list.from[id]!;
  const b = list.to[id]!;
  const kind = list.kind[id]!;
  if (kind === PROCESS) return `T${b} is process ${txns[b]!.process}'s next transaction after T${a}`;
  if (kind === REALTIME)
    return `T${a} completed (index ${txns[a]!.op.completeIndex}) before T${b} was invoked (index ${txns[b]!.op.invokeIndex})`;
  return undefined;
}

/**
 * Realtime order (T1 completed before T2 was invoked) as its transitive reduction, in one pass over the
 * events (Elle's buffer of recent completions): an invoke links every buffered completion to itself; a
 * completion drops from the buffer those completions that already reach it through its invoke's links.
 */
export function addRealtimeEdges(txns: readonly Txn[], edges: EdgeList): void {
  // Events by history index (invokes and completions have distinct indices): no sort, no tuples.
  let last = 0;
  for (const t of txns) {
    const { invokeIndex, completeIndex } = t.op;
    if (invokeIndex > last) last = invokeIndex;
    if (completeIndex !== null && completeIndex > last) last = completeIndex;
  }
  const eventAt = new Int32Array(last + 1).fill(-1);
  for (const t of txns) {
    if (!committed(t)) continue;
    eventAt[t.op.invokeIndex] = 2 * t.index;
    if (t.status === 'ok' && t.op.completeIndex !== null) eventAt[t.op.completeIndex] = 2 * t.index + 1;
  }
  // Buffer entries are added with rising sequence numbers, so "in the buffer when t was invoked" is "still
  // there, with a sequence number at most the one current at t's invoke". The buffer is two typed arrays
  // kept in sequence order, filtered in place: no array or object per completion.
  const bufferTxn = new Int32Array(txns.length);
  const bufferSeq = new Int32Array(txns.length);
  let buffered = 0;
  let seq = 0;
  const seqAtInvoke = new Int32Array(txns.length);
  for (const e of eventAt) {
    if (e === -1) continue;
    const t = e >> 1;
    if ((e & 1) === 0) {
      for (let i = 0; i < buffered; i++) edges.add(bufferTxn[i]!, t, REALTIME);
      seqAtInvoke[t] = seq;
    } else {
      const covered = seqAtInvoke[t]!;
      let kept = 0;
      for (let i = 0; i < buffered; i++)
        if (bufferSeq[i]! > covered) {
          bufferTxn[kept] = bufferTxn[i]!;
          bufferSeq[kept++] = bufferSeq[i]!;
        }
      bufferTxn[kept] = t;
      bufferSeq[kept] = ++seq;
      buffered = kept + 1;
    }
  }
}
