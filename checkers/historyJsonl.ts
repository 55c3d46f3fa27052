// Parses faultline's own history.jsonl text. A torn last line (the harness was killed mid-write) is dropped and
// reported; anything else malformed is an error naming the file, the line and the reason. Pure, so the checkers,
// the report and the browser can all read a history; harness/history/jsonl.ts reads it from disk.
import type { HistoryOp, OpType, Value } from './history.ts';
import { findHistoryProblems } from './history.ts';

export class HistoryFormatError extends Error {
  readonly source: string;
  readonly line: number;
  readonly reason: string;
  constructor(source: string, line: number, reason: string) {
    super(`${source}:${line}: ${reason}`);
    this.name = 'HistoryFormatError';
    this.source = source;
    this.line = line;
    this.reason = reason;
  }
}

export interface ParsedHistory {
  ops: HistoryOp[];
  /** True when the last line was incomplete and was dropped. */
  tornTail: boolean;
}

const opTypes = new Set<string>(['invoke', 'ok', 'fail', 'info']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toOp(raw: unknown, source: string, line: number, expectedIndex: number): HistoryOp {
  const fail = (reason: string): never => {
    throw new HistoryFormatError(source, line, reason);
  };
  if (!isRecord(raw)) return fail('expected a JSON object per line');
  const { index, time, type, process, f, value, node, key, error } = raw;
  if (typeof type !== 'string' || !opTypes.has(type))
    fail(`"type" must be invoke, ok, fail or info, not ${JSON.stringify(type)}`);
  if (!(typeof process === 'number' && Number.isInteger(process)) && process !== 'nemesis')
    fail(`"process" must be an integer or "nemesis", not ${JSON.stringify(process)}`);
  if (typeof f !== 'string' || f === '') fail(`"f" must be a non-empty string, not ${JSON.stringify(f)}`);
  if (typeof time !== 'number' || !Number.isFinite(time))
    fail(`"time" must be a number of nanoseconds, not ${JSON.stringify(time)}`);
  if (index !== undefined && index !== expectedIndex)
    fail(`"index" is ${JSON.stringify(index)} but this is op ${expectedIndex} of the history`);
  if (node !== undefined && typeof node !== 'string') fail(`"node" must be a string`);
  if (key !== undefined && typeof key !== 'string') fail(`"key" must be a string`);
  if (error !== undefined && typeof error !== 'string') fail(`"error" must be a string`);
  const op: HistoryOp = {
    index: expectedIndex,
    time: time as number,
    type: type as OpType,
    process: process as number | 'nemesis',
    f: f as string,
    value: (value ?? null) as Value,
  };
  if (typeof node === 'string') op.node = node;
  if (typeof key === 'string') op.key = key;
  if (typeof error === 'string') op.error = error;
  return op;
}

/** Parses history.jsonl text. `source` names the file in errors. */
export function parseHistoryJsonl(text: string, source = 'history.jsonl'): ParsedHistory {
  const ops: HistoryOp[] = [];
  let tornTail = false;
  let body = text;
  // Everything after the final newline is a torn write: the harness died mid-line.
  const lastNewline = text.lastIndexOf('\n');
  if (lastNewline !== text.length - 1) {
    const tail = text.slice(lastNewline + 1);
    body = text.slice(0, lastNewline + 1);
    if (tail.trim() !== '') {
      // A complete final line merely missing its newline is kept.
      try {
        JSON.parse(tail);
        body = text + '\n';
      } catch {
        tornTail = true;
      }
    }
  }
  const lines = body.split('\n');
  const lineNumbers: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new HistoryFormatError(source, i + 1, `not valid JSON (${(e as Error).message})`);
    }
    ops.push(toOp(raw, source, i + 1, ops.length));
    lineNumbers.push(i + 1);
  }
  const problems = findHistoryProblems(ops);
  const first = problems[0];
  if (first !== undefined) {
    throw new HistoryFormatError(source, lineNumbers[first.index] ?? first.index + 1, first.message);
  }
  return { ops, tornTail };
}
