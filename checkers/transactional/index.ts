// The transactional isolation checkers (Elle-class, list-append and rw-register): one per isolation level,
// and `isolation`, which judges the level named in its options ({ isolation: 'serializable' }).
import type { Operation } from '../history.ts';
import type { CheckOptions, ConsistencyChecker } from '../result.ts';
import { checkIsolationAsync, checkerName, type IsolationOptions } from './isolation.ts';
import { isolationLevelNames, isolationLevels, parseIsolationLevel, type IsolationLevel } from './isolationLevels.ts';

export {
  analyzeIsolation,
  analyzeIsolationAsync,
  checkIsolation,
  checkIsolationAsync,
  checkerName,
  type IsolationOptions,
  type IsolationSearchProgress,
} from './isolation.ts';
export {
  isolationImplications,
  isolationLevelNames,
  isolationLevels,
  parseIsolationLevel,
  ruledOutBy,
  type IsolationLevel,
} from './isolationLevels.ts';

const isTxnHistory = (operations: readonly Operation[]) => operations.some((op) => op.f === 'txn');

export const isolationLevelCheckers: ConsistencyChecker[] = isolationLevels.map((level) => ({
  name: checkerName(level),
  model: isolationLevelNames[level],
  description: `${isolationLevelNames[level]} for list-append and rw-register transactions (Elle-style inference, cycle search)`,
  check: (operations: readonly Operation[], options?: CheckOptions) => checkIsolationAsync(operations, level, options),
  appliesTo: isTxnHistory,
}));

export const isolationChecker: ConsistencyChecker = {
  name: 'isolation',
  model: 'transactional isolation (the level in options.isolation; strict serializable by default)',
  description: 'any isolation level for list-append and rw-register transactions: pass { isolation: LEVEL }',
  check: async (operations: readonly Operation[], options: IsolationOptions = {}) => ({
    ...(await checkIsolationAsync(operations, options.isolation ?? 'strict-serializable', options)),
    checker: 'isolation',
  }),
  appliesTo: isTxnHistory,
};

/** A level name as typed on the command line, or an error naming the accepted ones. */
export function isolationLevelOrError(name: string): IsolationLevel | Error {
  return (
    parseIsolationLevel(name) ??
    new Error(`unknown isolation level ${JSON.stringify(name)}; expected one of ${isolationLevels.join(', ')}`)
  );
}
