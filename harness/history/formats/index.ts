// One entry point for every history format faultline reads: its own history.jsonl (or a run directory),
// Jepsen/Knossos/Elle EDN, Porcupine's etcd and kv logs, dbcop YAML and Plume's text format. The format is inferred from the
// file's name and first bytes.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryOp } from '../../../checkers/history.ts';
import { parseHistoryJsonl } from '../jsonl.ts';
import { parseDbcopYaml } from './dbcop.ts';
import { parseJepsenEdn } from './jepsen.ts';
import { parsePlumeText } from './plume.ts';
import { parsePorcupineEtcdLog, parsePorcupineKvLog } from './porcupine.ts';
import { runFiles } from '../../../results/runDirectory.ts';

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
  if (/^\{:process \d+, :type :\w+, :f :(get|put|append), :key "/.test(firstLine)) return 'porcupine-kv';
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

/** Reads a history file, or a run directory's history.jsonl, in any supported format. */
export function readAnyHistory(path: string, format?: HistoryFormat): LoadedHistory {
  const file = statSync(path).isDirectory() ? join(path, runFiles.history) : path;
  const text = readFileSync(file, 'utf8');
  const detected = format ?? detectHistoryFormat(file, text);
  return { format: detected, path: file, ...parseHistory(text, detected, file) };
}
