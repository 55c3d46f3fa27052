// Reads faultline's own history.jsonl from disk; the parser itself is pure and lives with the history types.
import { readFileSync } from 'node:fs';
import { parseHistoryJsonl } from '../../checkers/historyJsonl.ts';
import type { ParsedHistory } from '../../checkers/historyJsonl.ts';

export { HistoryFormatError, parseHistoryJsonl } from '../../checkers/historyJsonl.ts';
export type { ParsedHistory } from '../../checkers/historyJsonl.ts';

export function readHistoryJsonl(path: string): ParsedHistory {
  return parseHistoryJsonl(readFileSync(path, 'utf8'), path);
}
