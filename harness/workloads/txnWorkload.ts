// The transactional workloads (list-append, rw-register) differ only in their write micro-op: a txn value is
// [["r", key, null] | [write, key, value], ...] over a few keys, values unique per run from one counter, and
// a final txn reads every key. The ok completion fills in the reads.
import type { Value } from '../plugin.ts';
import type { GeneratorCore, Workload } from './workload.ts';
import { defineWorkload, keyName, uniformIndex } from './workload.ts';
import { integerListOrNull, integerOrNull, txnReturns } from './completionShape.ts';

export function defineTxnWorkload(spec: {
  name: string;
  description: string;
  model: string;
  /** The write micro-op: 'append' for lists, 'w' for registers. */
  write: 'append' | 'w';
}): Workload {
  return defineWorkload({
    name: spec.name,
    description: spec.description,
    model: spec.model,
    fs: ['txn'],
    defaultMix: { txn: 1 },
    multiKey: true,
    // A list-append read returns the key's list; an rw-register read the register's value.
    checkCompletion: txnReturns(spec.write === 'append' ? integerListOrNull : integerOrNull),
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
            else txn.push([spec.write, key, nextValue++]);
          }
          return { op: { f: 'txn', value: txn }, state: { nextValue } };
        },
        finalReads: () => [
          { f: 'txn', value: Array.from({ length: keyCount }, (_, i): Value => ['r', keyName(i), null]) },
        ],
      };
    },
  });
}
