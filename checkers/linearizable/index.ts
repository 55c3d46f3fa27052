// The linearizability checker's public surface; checkers/registry.ts lists `linearizableChecker`.
import { isTransactionalHistory } from '../historyShape.ts';
import type { ConsistencyChecker } from '../result.ts';
import { checkLinearizable } from './checker.ts';
import type { LinearizableOptions } from './checker.ts';

export { checkLinearizable, checkLinearizableSync, inferModelSpec, resolveModel } from './checker.ts';
export type { LinearizableOptions } from './checker.ts';
export { checkPartition } from './wgl.ts';
export type { LinearizationStep, PartitionOutcome, SearchBudget } from './wgl.ts';
export { checkUniqueValueRegister } from './zones.ts';

export const linearizableChecker: ConsistencyChecker = {
  name: 'linearizable',
  model: 'linearizability',
  description:
    'linearizability against a model (register, cas-register, kv, multi-register, mutex, set, queue): WGL search, unique-value zones',
  check: (operations, options?: LinearizableOptions) => checkLinearizable(operations, options?.model, options ?? {}),
  // Transactions of Elle, dbcop or Plume are judged for isolation, not as a multi-register; a history
  // without real time has no linearizability to judge.
  appliesTo: (operations, shape) => (shape?.realTime ?? true) && !isTransactionalHistory(operations),
};
