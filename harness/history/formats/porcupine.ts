// Porcupine's test-data formats: Jepsen etcd logs (jepsen/etcd_NNN.log) and the 6.824 kv logs (kv/*.txt).
// Values are kept as in the source; the file's line order is the time order.
import { opTypes } from '../../../checkers/historyJsonl.ts';
import type { HistoryOp, OpType, Value } from '../../../checkers/history.ts';
import { EdnStream } from './edn.ts';

const etcdLine = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(\w+)\s+(.*?)\s*$/;

export class PorcupineLogError extends Error {
  constructor(source: string, line: number, reason: string) {
    super(`${source}:${line}: ${reason}`);
    this.name = 'PorcupineLogError';
  }
}

function etcdValue(text: string, source: string, line: number): Value {
  if (text === 'nil') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  const pair = /^\[(-?\d+)\s+(-?\d+)\]$/.exec(text);
  if (pair) return [Number(pair[1]), Number(pair[2])];
  if (text === ':timed-out') return 'timed-out';
  throw new PorcupineLogError(source, line, `unexpected value ${JSON.stringify(text)}`);
}

/**
 * Jepsen etcd log: `INFO  jepsen.util - <proc> :<type> :<f> <value>`. `:timed-out` completions carry no
 * value: they become a `fail` (reads: nothing happened, or nothing observed) or an `info` (writes, cas:
 * unknown) with the invoke's value and error "timed-out". Fed one line at a time, so a log streams.
 */
export class PorcupineEtcdParser {
  readonly ops: HistoryOp[] = [];
  private readonly invoked = new Map<number, Value>();
  private readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  line(raw: string, lineNo: number): void {
    if (raw.trim() === '') return;
    const m = etcdLine.exec(raw);
    if (!m)
      throw new PorcupineLogError(
        this.source,
        lineNo,
        'not an `INFO jepsen.util - <process> :<type> :<f> <value>` line',
      );
    const ops = this.ops;
    const process = Number(m[1]);
    const type = m[2] as OpType;
    let value = etcdValue(m[4]!, this.source, lineNo);
    const op: HistoryOp = { index: ops.length, time: ops.length, type, process, f: m[3]!, value };
    if (type === 'invoke') this.invoked.set(process, value);
    else if (value === 'timed-out') {
      value = type === 'fail' ? null : (this.invoked.get(process) ?? null);
      op.value = value;
      op.error = 'timed-out';
    }
    ops.push(op);
  }
}

export function parsePorcupineEtcdLog(text: string, source = 'etcd.log'): HistoryOp[] {
  const parser = new PorcupineEtcdParser(source);
  text.split('\n').forEach((raw, i) => {
    parser.line(raw, i + 1);
  });
  return parser.ops;
}

const kvOps = new Set<string>(['get', 'put', 'append']);

/**
 * One op of a 6.824 kv log from its EDN map; `index` is its position in the file, `line` the file line it
 * is on (for errors). An op other than get, put or append is an error here, not something to guess at.
 */
export function porcupineKvOp(
  form: Value,
  index: number,
  source: string,
  lineOf: number | (() => number) = index + 1,
): HistoryOp {
  // A stream finds a form's line by scanning its text, so only an error asks for it.
  const fail = (reason: string): never => {
    throw new PorcupineLogError(source, typeof lineOf === 'number' ? lineOf : lineOf(), reason);
  };
  if (typeof form !== 'object' || form === null || Array.isArray(form)) return fail('expected one op map per line');
  const { process, type, f, key, value } = form;
  if (typeof process !== 'number' || typeof type !== 'string' || typeof f !== 'string' || typeof key !== 'string')
    return fail('an op needs :process, :type, :f and :key');
  if (!opTypes.has(type)) fail(`:type must be :invoke, :ok, :fail or :info, not :${type}`);
  if (!kvOps.has(f))
    fail(
      `:f must be :get, :put or :append (the 6.824 kv operations), not :${f}; this reader knows only those; write other operations as Jepsen EDN (maps opening with :type) or a faultline history.jsonl`,
    );
  return { index, time: index, type: type as OpType, process, f, key, value: value ?? null };
}

const plainKvLine =
  /^\{:process (\d+), :type :(invoke|ok|fail|info), :f :(get|put|append), :key "([^"\\]*)", :value (?:nil|"([^"\\]*)")\}$/;

/**
 * One line of a 6.824 kv log in the plain shape every log we know is written in (as the Go test harness
 * prints it: no escapes, one map per line), as the op porcupineKvOp makes of it; null for any other line,
 * which only the EDN reader can read. One pattern per line reads such a log several times faster.
 */
export function plainPorcupineKvOp(raw: string, index: number): HistoryOp | null {
  const m = plainKvLine.exec(raw);
  if (m === null) return null;
  return { index, time: index, type: m[2] as OpType, process: Number(m[1]), f: m[3]!, key: m[4]!, value: m[5] ?? null };
}

/** 6.824 kv log: one `{:process p, :type t, :f get|put|append, :key "k", :value v}` map per line. */
export function parsePorcupineKvLog(text: string, source = 'kv.txt'): HistoryOp[] {
  const ops: HistoryOp[] = [];
  const stream = new EdnStream(source, (form, line) => {
    ops.push(porcupineKvOp(form, ops.length, source, line));
  });
  stream.push(text);
  stream.end();
  return ops;
}
