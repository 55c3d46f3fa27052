// The linearizability checker's public surface; importing it registers the checker.
import { registerChecker } from '../registry.ts';
import { checkLinearizable } from './checker.ts';
import type { LinearizableOptions } from './checker.ts';

export { checkLinearizable, checkLinearizableSync, inferModelSpec, resolveModel } from './checker.ts';
export type { LinearizableOptions } from './checker.ts';
export { checkPartition } from './wgl.ts';
export type { LinearizationStep, PartitionOutcome, SearchBudget } from './wgl.ts';
export { checkUniqueValueRegister } from './zones.ts';

registerChecker({
  name: 'linearizable',
  model: 'linearizability',
  description:
    'linearizability against a model (register, cas-register, kv, multi-register, mutex, set, queue): WGL search, unique-value zones',
  check: (operations, options?: LinearizableOptions) => checkLinearizable(operations, options?.model, options ?? {}),
});
