// list-append: transactions of reads and appends over lists (Elle's workload). Appended values are unique
// per key, so every read list reveals the order of writes that produced it, which transactional checks need.
// A txn value is [["r", key, null] | ["append", key, value], ...]; the ok completion fills in the reads.
import type { Value } from '../plugin.ts';
import type { GeneratorCore } from './workload.ts';
import { defineWorkload, keyName, uniformIndex } from './workload.ts';

export const listAppend = defineWorkload({
  name: 'list-append',
  description: 'transactions of reads and appends over lists, unique appended values (Elle-style checks)',
  model: 'list-append',
  fs: ['txn'],
  defaultMix: { txn: 1 },
  multiKey: true,
  create: (params): GeneratorCore<{ nextValue: number }> => {
    const keyCount = Math.max(1, params.keys);
    return {
      initial: { nextValue: 1 },
      next(state, rng) {
        const length = 1 + uniformIndex(rng, Math.max(1, params.maxTxnLength));
        const txn: Value[] = [];
        let nextValue = state.nextValue;
        for (let i = 0; i < length; i++) {
          const key = keyName(uniformIndex(rng, keyCount));
          if (uniformIndex(rng, 2) === 0) txn.push(['r', key, null]);
          else txn.push(['append', key, nextValue++]);
        }
        return { op: { f: 'txn', value: txn }, state: { nextValue } };
      },
      finalReads: () => [
        { f: 'txn', value: Array.from({ length: keyCount }, (_, i): Value => ['r', keyName(i), null]) },
      ],
    };
  },
});
