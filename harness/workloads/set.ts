// set: add unique elements and read the whole set. Checks: every acknowledged add is eventually read (no
// lost writes), nothing is read that was never added.
import type { GeneratorCore } from './workload.ts';
import { defineWorkload, keyName, pickF, uniformIndex } from './workload.ts';
import { integerListOrNull, readReturns } from './completionShape.ts';

export const set = defineWorkload({
  name: 'set',
  description: 'add unique elements, read the whole set (lost / phantom elements)',
  model: 'set',
  fs: ['add', 'read'],
  defaultMix: { add: 4, read: 1 },
  multiKey: true,
  checkCompletion: readReturns(integerListOrNull),
  create: (params): GeneratorCore<{ nextValue: number }> => {
    const keyCount = Math.max(1, params.keys);
    return {
      initial: { nextValue: 1 },
      next(state, rng) {
        const f = pickF(params.mix, rng);
        const key = keyName(uniformIndex(rng, keyCount));
        if (f === 'add') {
          const v = params.uniqueValues ? state.nextValue : uniformIndex(rng, params.valueRange);
          return { op: { f, key, value: v }, state: { nextValue: state.nextValue + 1 } };
        }
        return { op: { f: 'read', key, value: null }, state };
      },
      finalReads: () => Array.from({ length: keyCount }, (_, i) => ({ f: 'read', key: keyName(i), value: null })),
    };
  },
});
