// One entry point for every history format faultline reads: its own history.jsonl (or a run directory),
// Jepsen/Knossos/Elle EDN, Porcupine's etcd and kv logs, dbcop YAML and Plume's text format. The format is inferred from the
// file's name and first bytes.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryOp } from '../../../checkers/history.ts';
import { parseHistoryJsonl, readHistoryJsonl } from '../jsonl.ts';
import { HistoryTooLargeError, readChunks, readLines } from '../readChunks.ts';
import type { ReadLimits } from '../readChunks.ts';
import { parseDbcopYaml } from './dbcop.ts';
import { runFiles } from '../../../results/runDirectory.ts';
import { EdnStream } from './edn.ts';
import { JepsenOps, parseJepsenEdn } from './jepsen.ts';
import { PlumeParser, parsePlumeText } from './plume.ts';
import {
  PorcupineEtcdParser,
  parsePorcupineEtcdLog,
  parsePorcupineKvLog,
  plainPorcupineKvOp,
  porcupineKvOp,
} from './porcupine.ts';

export { HistoryTooLargeError } from '../readChunks.ts';
export type { ReadLimits } from '../readChunks.ts';

export type HistoryFormat = 'faultline' | 'jepsen-edn' | 'porcupine-etcd' | 'porcupine-kv' | 'dbcop' | 'plume-text';
export const historyFormats: readonly HistoryFormat[] = [
  'faultline',
  'jepsen-edn',
  'porcupine-etcd',
  'porcupine-kv',
  'dbcop',
  'plume-text',
];

export interface LoadedHistory {
  format: HistoryFormat;
  /** The file that was read (history.jsonl inside a run directory). */
  path: string;
  ops: HistoryOp[];
  tornTail: boolean;
}

export function detectHistoryFormat(path: string, text: string): HistoryFormat {
  const head = text.trimStart().slice(0, 4096);
  if (path.endsWith('.jsonl')) return 'faultline';
  if (/\.ya?ml$/.test(path)) return 'dbcop';
  if (head.startsWith('INFO') || (head === '' && path.endsWith('.log'))) return 'porcupine-etcd';
  if (/^[rw]\(-?\d+,-?\d+,-?\d+,-?\d+\)\s/.test(head + '\n')) return 'plume-text';
  if (head.startsWith('{"')) return 'faultline';
  const firstLine = head.split('\n', 1)[0] ?? '';
  // The kv log's shape, whatever its op: an unknown op is then the kv reader's error, with its line, and not
  // taken for Jepsen EDN (whose maps do not open with :process then :type, :f and :key).
  if (/^\{:process \d+, :type :[\w-]+, :f :[^\s,{}]+, :key "/.test(firstLine)) return 'porcupine-kv';
  return 'jepsen-edn';
}

export function parseHistory(
  text: string,
  format: HistoryFormat,
  source: string,
): { ops: HistoryOp[]; tornTail: boolean } {
  switch (format) {
    case 'faultline':
      return parseHistoryJsonl(text, source);
    case 'jepsen-edn':
      return { ops: parseJepsenEdn(text, source), tornTail: false };
    case 'porcupine-etcd':
      return { ops: parsePorcupineEtcdLog(text, source), tornTail: false };
    case 'porcupine-kv':
      return { ops: parsePorcupineKvLog(text, source), tornTail: false };
    case 'dbcop':
      return { ops: parseDbcopYaml(text, source), tornTail: false };
    case 'plume-text':
      return { ops: parsePlumeText(text, source), tornTail: false };
  }
}

/** Histories in YAML are parsed whole; beyond this size they are refused with the reason. */
const maxWholeFileBytes = 256 * 2 ** 20;

/** The first bytes of a file, enough to recognise its format. */
function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const got = readSync(fd, buffer, 0, buffer.length, 0);
    // A multi-byte character cut at the end decodes as U+FFFD, which no format test looks at.
    return buffer.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a history file, or a run directory's history.jsonl, in any supported format. Every format but
 * dbcop's YAML is read as a stream, so the file's size is bounded only by the memory its ops take
 * (HistoryTooLargeError, with the reason, past the heap limit).
 */
export function readAnyHistory(path: string, format?: HistoryFormat, limits: ReadLimits = {}): LoadedHistory {
  const file = statSync(path).isDirectory() ? join(path, runFiles.history) : path;
  const detected = format ?? detectHistoryFormat(file, readHead(file));
  const loaded = (h: { ops: HistoryOp[]; tornTail: boolean }): LoadedHistory => ({
    format: detected,
    path: file,
    ...h,
  });
  switch (detected) {
    case 'faultline':
      return loaded(readHistoryJsonl(file, limits));
    case 'porcupine-etcd': {
      const parser = new PorcupineEtcdParser(file);
      everyLine(
        file,
        (line, n) => {
          parser.line(line, n);
        },
        limits,
      );
      return loaded({ ops: parser.ops, tornTail: false });
    }
    case 'plume-text': {
      const parser = new PlumeParser(file);
      everyLine(
        file,
        (line, n) => {
          parser.line(line, n);
        },
        limits,
      );
      return loaded({ ops: parser.finish(), tornTail: false });
    }
    case 'porcupine-kv': {
      const plain = plainPorcupineKvLog(file, limits);
      if (plain !== null) return loaded({ ops: plain, tornTail: false });
      const ops: HistoryOp[] = [];
      const stream = new EdnStream(file, (form, line) => {
        ops.push(porcupineKvOp(form, ops.length, file, line));
      });
      streamEdn(file, stream, limits);
      return loaded({ ops, tornTail: false });
    }
    case 'jepsen-edn': {
      const builder = new JepsenOps(file);
      const stream = new EdnStream(
        file,
        (form) => {
          builder.add(form);
        },
        { unwrap: true },
      );
      streamEdn(file, stream, limits);
      return loaded({ ops: builder.finish(), tornTail: false });
    }
    case 'dbcop': {
      const size = statSync(file).size;
      if (size > maxWholeFileBytes)
        throw new HistoryTooLargeError(
          file,
          `a dbcop YAML history is parsed whole, and this one is ${Math.round(size / 2 ** 20)} MiB (at most ${maxWholeFileBytes / 2 ** 20} MiB)`,
        );
      return loaded({ ops: parseDbcopYaml(readFileSync(file, 'utf8'), file), tornTail: false });
    }
  }
}

/** Every line of the file, the one after the last newline included. */
function everyLine(file: string, onLine: (line: string, lineNo: number) => void, limits: ReadLimits): void {
  let count = 0;
  const tail = readLines(
    file,
    (line, n) => {
      count = n;
      onLine(line, n);
    },
    limits,
  );
  if (tail !== '') onLine(tail, count + 1);
}

/** A kv log's ops when every line has the plain shape (plainPorcupineKvOp); null at the first that has not. */
function plainPorcupineKvLog(file: string, limits: ReadLimits): HistoryOp[] | null {
  const ops: HistoryOp[] = [];
  let plain = true;
  everyLine(
    file,
    (line) => {
      if (!plain || line === '') return;
      const op = plainPorcupineKvOp(line, ops.length);
      if (op === null) plain = false;
      else ops.push(op);
    },
    limits,
  );
  return plain ? ops : null;
}

function streamEdn(file: string, stream: EdnStream, limits: ReadLimits): void {
  const decoder = new TextDecoder('utf-8');
  readChunks(
    file,
    (chunk) => {
      stream.push(decoder.decode(chunk, { stream: true }));
    },
    limits,
  );
  stream.push(decoder.decode());
  stream.end();
}
