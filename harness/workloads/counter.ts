// counter: increments and reads. Checks: a read lies between the acknowledged and the attempted sum of
// increments (Maelstrom's g-counter / pn-counter rule).
import type { GeneratorCore } from './workload.ts';
import { defineWorkload, keyName, pickF, uniformIndex } from './workload.ts';
import { integerOrNull, readReturns } from './completionShape.ts';

export const counter = defineWorkload({
  name: 'counter',
  description: 'add 1 (or small deltas) and read; reads must lie between acknowledged and attempted sums',
  model: 'counter',
  fs: ['add', 'read'],
  defaultMix: { add: 3, read: 1 },
  multiKey: true,
  checkCompletion: readReturns(integerOrNull),
  create: (params): GeneratorCore<null> => {
    const keyCount = Math.max(1, params.keys);
    return {
      initial: null,
      next(state, rng) {
        const f = pickF(params.mix, rng);
        const key = keyName(uniformIndex(rng, keyCount));
        // Unique values make no sense for increments; the delta is 1 unless a range is asked for.
        const delta = params.uniqueValues ? 1 : 1 + uniformIndex(rng, params.valueRange);
        return { op: f === 'add' ? { f, key, value: delta } : { f: 'read', key, value: null }, state };
      },
      finalReads: () => Array.from({ length: keyCount }, (_, i) => ({ f: 'read', key: keyName(i), value: null })),
    };
  },
});
