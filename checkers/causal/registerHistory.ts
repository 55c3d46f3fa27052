// A read/write register (or key-value) history prepared for the sequential, causal and session checkers:
// sessions in program order, and each read mapped to the write it read. Unique written values make that
// read-mapping known, which is what turns these checks from NP-complete into polynomial (checking.md §0.3).
import type { Operation, Value } from '../history.ts';
import type { Anomaly } from '../result.ts';
import { escapeControl, opAt, showValue } from '../explanationText.ts';
import { historyIndices } from '../result.ts';

export interface RegisterHistoryOptions {
  /** The value every key holds before any write; a read returning it reads the initial state. Default null. */
  initialValue?: Value;
}

/**
 * Nodes are the kept ops (ok reads, ok writes, indeterminate writes some read observed), numbered 0..n-1.
 * Failed ops and indeterminate reads are gone; an indeterminate write nobody read is dropped (choosing
 * "it never happened" constrains nothing).
 */
export interface RegisterHistory {
  ops: Operation[];
  isWrite: Uint8Array;
  /** Key id of each node; `keys[id]` is its name ('' when ops carry no key). */
  keyOf: Int32Array;
  keys: string[];
  session: Int32Array;
  /** Position of the node in its session. */
  position: Int32Array;
  /** Node ids of each session in program order. A session ends at an indeterminate op. */
  sessions: number[][];
  /** For reads: the node id of the write read, or -1 for the initial value. For writes: -1. */
  src: Int32Array;
  /** Node ids of the writes of each key, in history order. */
  writesByKey: number[][];
  /** Thin-air and aborted reads: violations of every model here; those reads are not nodes. */
  readAnomalies: Anomaly[];
  /** Operations looked at (all reads and writes, before dropping). */
  operationCount: number;
}

export type PreparedRegisterHistory = { ok: true; history: RegisterHistory } | { ok: false; reason: string };

function valueKey(v: Value): string {
  return JSON.stringify(v);
}

export { showValue };

/**
 * "process 3 read x=7 (op 12 at 1.234 s)": ops are named by Operation.id, the numbering anomalies use, with
 * the invoke's time in seconds from the start of the run.
 */
export function describeOp(op: Operation): string {
  const k = op.key === undefined ? '' : `${escapeControl(op.key)}=`;
  const verb = op.f === 'write' ? 'wrote' : 'read';
  const v = op.f === 'write' ? op.input : op.output;
  const crashed = op.status === 'info' ? ', outcome unknown' : '';
  return `process ${op.process} ${verb} ${k}${showValue(v)} (${opAt(op)}${crashed})`;
}

export function anomalyOf(type: string, ops: readonly Operation[], explanation: string, detail?: Value): Anomaly {
  const a: Anomaly = { type, ops: ops.map((o) => o.id), indices: historyIndices(ops), explanation };
  const key = ops[0]?.key;
  if (key !== undefined) a.key = key;
  if (detail !== undefined) a.detail = detail;
  return a;
}

export function prepareRegisterHistory(
  operations: readonly Operation[],
  options: RegisterHistoryOptions = {},
): PreparedRegisterHistory {
  const initKey = valueKey(options.initialValue ?? null);
  const sorted = [...operations].sort((a, b) => a.invokeIndex - b.invokeIndex);
  const writes = new Map<string, Operation>();
  const failedWrites = new Map<string, Operation>();
  for (const op of sorted) {
    if (op.f !== 'write' && op.f !== 'read') {
      return {
        ok: false,
        reason: `this checker handles read/write registers only, but op ${op.id} is a ${op.f}`,
      };
    }
    if (op.f !== 'write') continue;
    const vk = valueKey(op.input);
    const wk = `${op.key ?? ''}\u0000${vk}`;
    if (op.status === 'fail') {
      failedWrites.set(wk, op);
      continue;
    }
    if (vk === initKey) {
      return {
        ok: false,
        reason: `${describeOp(op)} writes the initial value ${showValue(op.input)}; reads of it could not be told apart from reads of the initial state (give the workload unique values, or another initial value)`,
      };
    }
    const other = writes.get(wk);
    if (other !== undefined) {
      return {
        ok: false,
        reason: `written values are not unique: ${describeOp(other)} and ${describeOp(op)} write the same value, so which write a read saw is unknown (these checks need unique written values; the default workloads write "<process>-<n>")`,
      };
    }
    writes.set(wk, op);
  }

  const readAnomalies: Anomaly[] = [];
  const readSource = new Map<Operation, Operation | null>();
  const observed = new Set<Operation>();
  for (const op of sorted) {
    if (op.f !== 'read' || op.status !== 'ok') continue;
    const vk = valueKey(op.output);
    if (vk === initKey) {
      readSource.set(op, null);
      continue;
    }
    const wk = `${op.key ?? ''}\u0000${vk}`;
    const w = writes.get(wk);
    if (w !== undefined) {
      readSource.set(op, w);
      observed.add(w);
      continue;
    }
    const failed = failedWrites.get(wk);
    if (failed !== undefined) {
      readAnomalies.push(
        anomalyOf(
          'AbortedRead',
          [op, failed],
          `${describeOp(op)}, a value only written by a write that failed (${describeOp(failed).replace('wrote', 'tried to write')}): a failed write must not be seen`,
        ),
      );
    } else {
      readAnomalies.push(
        anomalyOf(
          'ThinAirRead',
          [op],
          `${describeOp(op)}, a value no write ever wrote (the initial value is ${showValue(options.initialValue ?? null)})`,
        ),
      );
    }
  }

  const kept = sorted.filter((op) =>
    op.f === 'read' ? readSource.has(op) : op.status === 'ok' || (op.status === 'info' && observed.has(op)),
  );
  const n = kept.length;
  const nodeOf = new Map<Operation, number>();
  kept.forEach((op, i) => nodeOf.set(op, i));
  const isWrite = new Uint8Array(n);
  const keyOf = new Int32Array(n);
  const session = new Int32Array(n);
  const position = new Int32Array(n);
  const src = new Int32Array(n).fill(-1);
  const keyIds = new Map<string, number>();
  const keys: string[] = [];
  const writesByKey: number[][] = [];
  const sessions: number[][] = [];
  // An indeterminate op ends its session (even when the op itself is dropped): a process reused after
  // `info` starts a new session.
  const generation = new Map<number, number>();
  const sessionToken = new Map<Operation, string>();
  for (const op of sorted) {
    const g = generation.get(op.process) ?? 0;
    sessionToken.set(op, `${op.process}/${g}`);
    if (op.status === 'info') generation.set(op.process, g + 1);
  }
  const sessionIds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const op = kept[i]!;
    const k = op.key ?? '';
    let kid = keyIds.get(k);
    if (kid === undefined) {
      kid = keys.length;
      keyIds.set(k, kid);
      keys.push(k);
      writesByKey.push([]);
    }
    keyOf[i] = kid;
    const token = sessionToken.get(op)!;
    let s = sessionIds.get(token);
    if (s === undefined) {
      s = sessions.length;
      sessions.push([]);
      sessionIds.set(token, s);
    }
    session[i] = s;
    position[i] = sessions[s]!.length;
    sessions[s]!.push(i);
    if (op.f === 'write') {
      isWrite[i] = 1;
      writesByKey[kid]!.push(i);
    } else {
      const w = readSource.get(op);
      if (w) src[i] = nodeOf.get(w)!;
    }
  }
  return {
    ok: true,
    history: {
      ops: kept,
      isWrite,
      keyOf,
      keys,
      session,
      position,
      sessions,
      src,
      writesByKey,
      readAnomalies,
      operationCount: operations.length,
    },
  };
}

/** The register checkers take single read/write ops; transaction histories go to causal-tx. */
export function isSingleOpHistory(operations: readonly { f: string }[]): boolean {
  return !operations.some((op) => op.f === 'txn');
}
