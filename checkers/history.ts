// The history: the contract between the harness, the checkers and the report.
// Pure data and pure functions only; this file runs in worker threads and in the report's browser code.
import { readNemesisEvent } from './nemesisEvents.ts';

/** Any JSON value a system may return. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** A client process is a number; fault events come from the nemesis. */
export type ProcessId = number | 'nemesis';

/** One line of history.jsonl. */
export interface HistoryOp {
  /** Position in the history, 0-based, dense. */
  index: number;
  /** Nanoseconds since the run started, monotonic. External histories without times use the index. */
  time: number;
  type: OpType;
  process: ProcessId;
  /** The operation's function: read, write, cas, add, append, txn, start-partition, ... */
  f: string;
  value: Value;
  /** The node the client talked to, when known. */
  node?: string;
  /** For multi-key workloads: the key this op touches, so each key's sub-history can be checked alone. */
  key?: string;
  /** Why an op failed or is indeterminate, when the client knows. */
  error?: string;
  /**
   * On a completion: the node that actually performed the op, when the client knows it (the primary a
   * follower forwarded to); `node` is the one the client is bound to. Absent in older histories.
   */
  servedBy?: string;
}

/** An invoke paired with its completion. */
export interface Operation {
  /** Dense id over the paired operations of this history. */
  id: number;
  process: number;
  f: string;
  key?: string;
  node?: string;
  /** The invoke's value (e.g. what a write wrote; null for a read). */
  input: Value;
  /** The completion's value for ok ops (e.g. what a read returned); the input otherwise. */
  output: Value;
  status: 'ok' | 'fail' | 'info';
  /** Invoke time (ns). */
  call: number;
  /** Completion time (ns); +Infinity for info and never-completed ops: they may take effect at any later time. */
  ret: number;
  invokeIndex: number;
  /** Index of the completion op, or null when the op never completed. */
  completeIndex: number | null;
  error?: string;
  /** The node that performed the op, from its completion, when the client said. */
  servedBy?: string;
}

/** A nemesis event pair: a fault window. */
export interface FaultWindow {
  /** e.g. partition, kill, pause, clock, loss. */
  fault: string;
  start: number;
  /** +Infinity when the fault was never stopped in the history. */
  end: number;
  startIndex: number;
  endIndex: number | null;
  /** What was done, to which node: the start event's value. */
  value: Value;
  /** The fault in words, as its package wrote it; absent in older and external histories. */
  label?: string;
  /** The fault kind's colour, as its package wrote it; absent in older and external histories. */
  color?: string;
  /** Why the start failed: the window is an attempt, the fault did not (fully) take effect. */
  error?: string;
}

export interface HistoryProblem {
  /** Index of the op at fault (its position in the history). */
  index: number;
  message: string;
}

const completionTypes = new Set<OpType>(['ok', 'fail', 'info']);

/**
 * Finds what makes a history malformed: a completion without an invoke, two invokes in flight for one
 * process, a process reused after `info`. Nemesis events are exempt: they are info pairs by convention.
 */
export function findHistoryProblems(history: readonly HistoryOp[]): HistoryProblem[] {
  const problems: HistoryProblem[] = [];
  const inFlight = new Map<number, HistoryOp>();
  const crashed = new Map<number, HistoryOp>();
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    const p = op.process;
    if (op.type === 'invoke') {
      const retired = crashed.get(p);
      if (retired !== undefined) {
        problems.push({
          index: op.index,
          message: `process ${p} invokes again after its op at index ${retired.index} ended in info; a process whose outcome is unknown must be replaced by a fresh process id`,
        });
      }
      const pending = inFlight.get(p);
      if (pending !== undefined) {
        problems.push({
          index: op.index,
          message: `process ${p} invokes ${op.f} while its ${pending.f} invoked at index ${pending.index} is still in flight`,
        });
      }
      inFlight.set(p, op);
    } else if (completionTypes.has(op.type)) {
      const pending = inFlight.get(p);
      if (pending === undefined) {
        problems.push({ index: op.index, message: `${op.type} of ${op.f} by process ${p} has no invoke in flight` });
        continue;
      }
      if (pending.f !== op.f) {
        problems.push({
          index: op.index,
          message: `${op.type} of ${op.f} by process ${p} completes an invoke of ${pending.f} (index ${pending.index})`,
        });
      }
      inFlight.delete(p);
      if (op.type === 'info') crashed.set(p, op);
    }
  }
  return problems;
}

/**
 * Pairs invokes with completions. `info` and never-completed ops return at +Infinity. Fault events and
 * completions with no invoke are left out (external histories log nemesis events as lone `info`s).
 */
export function pairOperations(history: readonly HistoryOp[]): Operation[] {
  const operations: Operation[] = [];
  const pending = new Map<number, Operation>();
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      const operation: Operation = {
        id: operations.length,
        process: op.process,
        f: op.f,
        input: op.value,
        output: op.value,
        status: 'info',
        call: op.time,
        ret: Infinity,
        invokeIndex: op.index,
        completeIndex: null,
      };
      if (op.key !== undefined) operation.key = op.key;
      if (op.node !== undefined) operation.node = op.node;
      operations.push(operation);
      pending.set(op.process, operation);
      continue;
    }
    const operation = pending.get(op.process);
    if (operation === undefined) continue;
    pending.delete(op.process);
    operation.status = op.type;
    operation.completeIndex = op.index;
    if (op.error !== undefined) operation.error = op.error;
    if (op.servedBy !== undefined) operation.servedBy = op.servedBy;
    if (op.type === 'ok') {
      operation.output = op.value;
      operation.ret = op.time;
    } else if (op.type === 'fail') {
      operation.ret = op.time;
    }
  }
  return operations;
}

/**
 * Fault windows from nemesis events (checkers/nemesisEvents.ts): a start of X opens a window of X, a stop of X
 * closes the oldest open one.
 */
export function faultWindows(history: readonly HistoryOp[]): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const open = new Map<string, FaultWindow[]>();
  for (const op of history) {
    const event = readNemesisEvent(op);
    if (event === null) continue;
    if (event.action === 'start') {
      const w: FaultWindow = {
        fault: event.fault,
        start: op.time,
        end: Infinity,
        startIndex: op.index,
        endIndex: null,
        value: op.value,
        ...(event.label !== undefined && { label: event.label }),
        ...(event.color !== undefined && { color: event.color }),
        ...(event.error !== undefined && { error: event.error }),
      };
      windows.push(w);
      const list = open.get(w.fault) ?? [];
      list.push(w);
      open.set(w.fault, list);
    } else {
      const w = open.get(event.fault)?.shift();
      if (w !== undefined) {
        w.end = op.time;
        w.endIndex = op.index;
      }
    }
  }
  return windows;
}

/** Ops grouped by key (ops without a key under the empty string), in history order. */
export function splitByKey(operations: readonly Operation[]): Map<string, Operation[]> {
  const byKey = new Map<string, Operation[]>();
  for (const op of operations) {
    const k = op.key ?? '';
    let list = byKey.get(k);
    if (list === undefined) byKey.set(k, (list = []));
    list.push(op);
  }
  return byKey;
}
