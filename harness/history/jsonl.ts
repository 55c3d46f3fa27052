// Reads faultline's own history.jsonl from disk as a stream of chunks (never one string, so a history over
// 512 MiB reads like any other); the parser itself is pure and lives with the history types.
import { HistoryJsonlParser } from '../../checkers/historyJsonl.ts';
import type { ParsedHistory } from '../../checkers/historyJsonl.ts';
import { readChunks } from './readChunks.ts';
import type { ReadLimits } from './readChunks.ts';

export { HistoryFormatError, HistoryJsonlParser, parseHistoryJsonl } from '../../checkers/historyJsonl.ts';
export type { ParsedHistory } from '../../checkers/historyJsonl.ts';

export function readHistoryJsonl(path: string, limits: ReadLimits = {}): ParsedHistory {
  const parser = new HistoryJsonlParser(path);
  readChunks(
    path,
    (chunk) => {
      parser.pushBytes(chunk);
    },
    limits,
    () => parser.ops.length,
  );
  return parser.finish();
}
