// Parses faultline's own history.jsonl, from text or streamed as bytes. A torn last line (the harness was killed
// mid-write) is dropped and reported; anything else malformed is an error naming the file, the line and the
// reason. Pure, so the checkers, the report and the browser can all read a history; harness/history/jsonl.ts
// streams it from disk. Lines of the shape the recorder writes are scanned byte by byte (RecordedLineScanner);
// any other line goes through JSON.parse, so both give the same ops and the same errors.
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

/** The four op types, for every history reader. */
export const opTypes: ReadonlySet<string> = new Set<string>(['invoke', 'ok', 'fail', 'info']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toOp(raw: unknown, source: string, line: number, expectedIndex: number): HistoryOp {
  const fail = (reason: string): never => {
    throw new HistoryFormatError(source, line, reason);
  };
  if (!isRecord(raw)) return fail('expected a JSON object per line');
  const { index, time, type, process, f, value, node, key, error, servedBy } = raw;
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
  if (servedBy !== undefined && typeof servedBy !== 'string') fail(`"servedBy" must be a node name (a string)`);
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
  if (typeof servedBy === 'string') op.servedBy = servedBy;
  return op;
}

/** Parses history.jsonl text. `source` names the file in errors. */
export function parseHistoryJsonl(text: string, source = 'history.jsonl'): ParsedHistory {
  const parser = new HistoryJsonlParser(source);
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    parser.pushLine(text.slice(start, nl));
    start = nl + 1;
  }
  return parser.finish(text.slice(start));
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Streams a history: pushBytes() each chunk as it is read (lines may span chunks), then finish(). Holds the
 * ops and one partial line, never the whole text, so a history of any size that fits as ops can be read.
 */
export class HistoryJsonlParser {
  readonly ops: HistoryOp[] = [];
  private readonly source: string;
  /** The file line of each op, for errors found once the whole history is read; empty while line = index + 1. */
  private lineNumbers: number[] | null = null;
  private line = 0;
  /** The time of the last op added: the recorder's clock is monotonic, so time never goes backwards. */
  private lastTime = -Infinity;
  /** Bytes of a line begun in an earlier chunk. */
  private carry: Uint8Array[] = [];
  private readonly scanner = new RecordedLineScanner();

  constructor(source: string) {
    this.source = source;
  }

  /** Feeds the next chunk of the file's bytes. */
  pushBytes(chunk: Uint8Array): void {
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl !== -1 && this.carry.length > 0) {
      this.carry.push(chunk.subarray(0, nl));
      const whole = concatBytes(this.carry);
      this.carry = [];
      this.lineBytes(whole, 0, whole.length);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl !== -1) {
      this.lineBytes(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    // The chunk may be reused by the caller: keep a copy of the unfinished line (a Buffer's slice() would not copy).
    if (start < chunk.length) this.carry.push(new Uint8Array(chunk.subarray(start)));
  }

  /** Feeds one complete line, without its newline. */
  pushLine(text: string): void {
    this.line++;
    if (text.trim() === '') return;
    this.add(this.parseJson(text), this.line);
  }

  /**
   * Ends the history. `tail` is text after the last newline, when parsing text; when streaming, the bytes
   * after the last newline are the tail. Checks the whole history and returns it.
   */
  finish(tail?: string): ParsedHistory {
    const rest = tail ?? utf8.decode(concatBytes(this.carry));
    this.carry = [];
    let tornTail = false;
    if (rest.trim() !== '') {
      // A complete final line merely missing its newline is kept; anything else is a torn write.
      let raw: unknown;
      let complete = true;
      try {
        raw = JSON.parse(rest);
      } catch {
        complete = false;
      }
      if (complete) this.add(toOp(raw, this.source, this.line + 1, this.ops.length), this.line + 1);
      else tornTail = true;
    }
    const problems = findHistoryProblems(this.ops);
    const first = problems[0];
    if (first !== undefined) {
      const line = this.lineNumbers?.[first.index] ?? first.index + 1;
      throw new HistoryFormatError(this.source, line, first.message);
    }
    return { ops: this.ops, tornTail };
  }

  private lineBytes(bytes: Uint8Array, start: number, end: number): void {
    this.line++;
    const op = this.scanner.scan(bytes, start, end, this.ops.length);
    if (op !== null) {
      this.add(op, this.line);
      return;
    }
    const text = utf8.decode(bytes.subarray(start, end));
    if (text.trim() === '') return;
    this.add(this.parseJson(text), this.line);
  }

  private parseJson(text: string): HistoryOp {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new HistoryFormatError(this.source, this.line, `not valid JSON (${(e as Error).message})`);
    }
    return toOp(raw, this.source, this.line, this.ops.length);
  }

  private add(op: HistoryOp, line: number): void {
    // Both the scanner's and JSON.parse's ops come here; equal times are fine (a coarse clock), earlier ones are not.
    if (op.time < this.lastTime) {
      const previousLine = this.lineNumbers?.[this.ops.length - 1] ?? this.ops.length;
      throw new HistoryFormatError(
        this.source,
        line,
        `"time" goes backwards at line ${line}: ${op.time} after ${this.lastTime} (line ${previousLine}); the recorder writes monotonic nanoseconds since the run started, so this history was edited, merged or reordered: check the recorded file, not a copy`,
      );
    }
    this.lastTime = op.time;
    if (this.lineNumbers === null && line !== this.ops.length + 1) {
      this.lineNumbers = this.ops.map((_, i) => i + 1);
    }
    this.lineNumbers?.push(line);
    this.ops.push(op);
  }
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const keyIndex = ascii('{"index":');
const keyTime = ascii(',"time":');
const keyType = ascii(',"type":"');
const keyProcess = ascii(',"process":');
const keyF = ascii(',"f":"');
const keyValue = ascii(',"value":');
const keyNode = ascii(',"node":"');
const keyKey = ascii(',"key":"');
const keyError = ascii(',"error":"');
const keyServedBy = ascii(',"servedBy":"');

/**
 * Reads a line of exactly the shape the recorder writes, `{"index":I,"time":T,"type":"...","process":P,
 * "f":"...","value":V}` then optional "node", "key", "error" and "servedBy", where the numbers are integers of at most
 * 15 digits, V is null, such an integer or a string, and every string is ASCII without escapes. Returns null
 * for any other line (it then goes through JSON.parse), so a line it accepts means what JSON.parse says.
 */
export class RecordedLineScanner {
  private b: Uint8Array = new Uint8Array(0);
  private i = 0;
  private end = 0;
  /** Recently seen strings by a hash of their bytes: "invoke", "read", "n1" are made once, not per line. */
  private readonly strings: (string | undefined)[] = new Array<string | undefined>(1024).fill(undefined);

  scan(bytes: Uint8Array, start: number, end: number, expectedIndex: number): HistoryOp | null {
    this.b = bytes;
    this.i = start;
    this.end = end;
    if (!this.literal(keyIndex)) return null;
    const index = this.integer();
    if (index !== expectedIndex || !this.literal(keyTime)) return null;
    const time = this.integer();
    if (Number.isNaN(time) || !this.literal(keyType)) return null;
    const type = this.string();
    if (type === null || !opTypes.has(type) || !this.literal(keyProcess)) return null;
    const process = this.integer();
    if (Number.isNaN(process) || !this.literal(keyF)) return null;
    const f = this.string();
    if (f === null || f === '' || !this.literal(keyValue)) return null;
    const b = this.b;
    let value: Value;
    const c = b[this.i];
    if (c === 110 /* n */) {
      if (b[this.i + 1] !== 117 || b[this.i + 2] !== 108 || b[this.i + 3] !== 108) return null;
      this.i += 4;
      value = null;
    } else if (c === 34 /* " */) {
      this.i++;
      value = this.string();
      if (value === null) return null;
    } else {
      value = this.integer();
      if (Number.isNaN(value)) return null;
    }
    const op: HistoryOp = { index, time, type: type as OpType, process, f, value };
    if (b[this.i] === 44 && b[this.i + 2] === 110 /* ,"n */) {
      if (!this.literal(keyNode)) return null;
      const node = this.string();
      if (node === null) return null;
      op.node = node;
    }
    if (b[this.i] === 44 && b[this.i + 2] === 107 /* ,"k */) {
      if (!this.literal(keyKey)) return null;
      const key = this.string();
      if (key === null) return null;
      op.key = key;
    }
    if (b[this.i] === 44 && b[this.i + 2] === 101 /* ,"e */) {
      if (!this.literal(keyError)) return null;
      const error = this.string();
      if (error === null) return null;
      op.error = error;
    }
    if (b[this.i] === 44 && b[this.i + 2] === 115 /* ,"s */) {
      if (!this.literal(keyServedBy)) return null;
      const servedBy = this.string();
      if (servedBy === null) return null;
      op.servedBy = servedBy;
    }
    return b[this.i] === 125 /* } */ && this.i + 1 === this.end ? op : null;
  }

  private literal(bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (this.i + n > this.end) return false;
    for (let k = 0; k < n; k++) if (this.b[this.i + k] !== bytes[k]) return false;
    this.i += n;
    return true;
  }

  /** A JSON integer of 1 to 15 digits (exact as a double), else NaN. */
  private integer(): number {
    const b = this.b;
    const negative = b[this.i] === 45; /* - */
    if (negative) this.i++;
    const start = this.i;
    let v = 0;
    while (this.i < this.end) {
      const c = b[this.i]!;
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      this.i++;
    }
    const digits = this.i - start;
    if (digits === 0 || digits > 15 || (b[start] === 48 && digits > 1)) return NaN;
    // A fraction or exponent is JSON.parse's to read.
    const next = b[this.i];
    if (next === 46 || next === 101 || next === 69) return NaN;
    return negative ? -v : v;
  }

  /** The rest of a string whose opening quote is consumed: ASCII without escapes, else null. */
  private string(): string | null {
    const b = this.b;
    const start = this.i;
    let hash = 0;
    while (this.i < this.end) {
      const c = b[this.i]!;
      if (c === 34) break;
      if (c === 92 || c < 32 || c >= 128) return null;
      hash = (Math.imul(hash, 31) + c) | 0;
      this.i++;
    }
    if (this.i >= this.end) return null;
    const length = this.i - start;
    this.i++;
    const slot = (hash ^ length) & 1023;
    const seen = this.strings[slot];
    if (seen?.length === length) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (seen.charCodeAt(k) !== b[start + k]) {
          same = false;
          break;
        }
      }
      if (same) return seen;
    }
    let made = '';
    for (let k = start; k < start + length; k += 4096) {
      made += String.fromCharCode(...b.subarray(k, Math.min(k + 4096, start + length)));
    }
    this.strings[slot] = made;
    return made;
  }
}
