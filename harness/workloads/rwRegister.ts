// rw-register: transactions of reads and writes over registers (Elle's rw-register workload). Written values
// are unique per key (one counter for the whole run), so each read names the txn it read from, which the
// isolation checker's rw-register inference needs (checkers/transactional/rwRegister.ts); null is the
// initial value and is never written. A txn value is [["r", key, null] | ["w", key, value], ...]; the ok
// completion fills in the reads. Values are unique whatever `uniqueValues` says: repeated values would make
// every history unjudgeable.
import type { Value } from '../plugin.ts';
import type { GeneratorCore } from './workload.ts';
import { defineWorkload, keyName, uniformIndex } from './workload.ts';

export const rwRegister = defineWorkload({
  name: 'rw-register',
  description: 'transactions of reads and writes over registers, unique written values (Elle-style checks)',
  model: 'rw-register',
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
          else txn.push(['w', key, nextValue++]);
        }
        return { op: { f: 'txn', value: txn }, state: { nextValue } };
      },
      finalReads: () => [
        { f: 'txn', value: Array.from({ length: keyCount }, (_, i): Value => ['r', keyName(i), null]) },
      ],
    };
  },
});
