// unique-ids: each op asks the system for a new id (Maelstrom's unique-ids workload). Checks: no two
// acknowledged generates returned the same id, whatever the faults: a store that hands out ids from a
// per-node counter, or forgets its counter on a restart, is caught.
import type { GeneratorCore } from './workload.ts';
import { defineWorkload } from './workload.ts';
import { opLabel, describeValue, type CompletionCheck } from './completionShape.ts';

/** An id is a string or an integer: anything else cannot be compared the way the checker compares ids. */
const idReturned: CompletionCheck = (op, value) =>
  typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))
    ? undefined
    : `${opLabel(op)} returned ${describeValue(value)}, expected an id (a string or an integer)`;

export const uniqueIds = defineWorkload({
  name: 'unique-ids',
  description: 'generate ids; no two acknowledged generates may return the same one',
  model: 'unique-ids',
  fs: ['generate'],
  defaultMix: { generate: 1 },
  multiKey: false,
  checkCompletion: idReturned,
  create: (): GeneratorCore<null> => ({
    initial: null,
    next: (state) => ({ op: { f: 'generate', value: null }, state }),
    finalReads: () => [],
  }),
});
